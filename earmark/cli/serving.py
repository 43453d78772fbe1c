"""`earmark serve`: the read API under uvicorn."""

from __future__ import annotations

import copy

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
    # The server's logs belong on its terminal (and a container's output), in every worker: uvicorn's own
    # configuration, with the root logger (the API's loggers propagate there) on its stderr handler.
    log_config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    log_config["root"] = {"handlers": ["default"], "level": "INFO"}
    uvicorn.run("api.main:create_app", factory=True, host=host, port=port, workers=workers,
                log_level=log_level, log_config=log_config, access_log=False, proxy_headers=False)
