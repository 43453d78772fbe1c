"""`earmark serve`: the read API under uvicorn."""

from __future__ import annotations

import typer


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    workers: int = typer.Option(1, "--workers", help="Worker processes (about one per core)."),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
) -> None:
    """Serve the read API (OpenAPI at /openapi.json, docs at /docs, health at /healthz)."""
    import uvicorn

    from earmark.migrate import require_current_schema

    require_current_schema()
    uvicorn.run("api.main:create_app", factory=True, host=host, port=port, workers=workers,
                log_level=log_level, access_log=False, proxy_headers=False)
