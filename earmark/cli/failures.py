"""What the `earmark` command does when something fails that is not the user's mistake.

A user gets one sentence that says what failed and what to do, and the path of a log file under
$EARMARK_HOME/logs/ that holds the full trace; never a traceback on the terminal. Library logging
(Dagster's storage retries, dbt, SQLAlchemy) goes to that folder's earmark.log, not to stderr: the
command's own output is its summary.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path

from earmark.settings import Settings, get_settings

# Exceptions (by module and name, so the core imports none of these libraries) that mean the database
# stopped answering whatever their SQLSTATE: dagster-postgres' retries, our own, the pool's.
_DATABASE_GONE = {
    ("dagster_postgres.utils", "DagsterPostgresException"), ("earmark.db", "DatabaseUnavailable"),
    ("psycopg_pool", "PoolTimeout"),
}
# Driver errors (psycopg 3, psycopg2, SQLAlchemy around either) mean "gone" only for a lost connection: no
# SQLSTATE at all (libpq could not talk to the server), class 08 (connection exception), or the server
# shutting down (57P01-57P03). A full disk or a lock timeout is an OperationalError too, and is not that.
_DRIVER_ERRORS = {("psycopg", "OperationalError"), ("psycopg2", "OperationalError"),
                  ("sqlalchemy.exc", "OperationalError"), ("sqlalchemy.exc", "DBAPIError")}
_SHUTDOWN_STATES = {"57P01", "57P02", "57P03"}


def log_dir() -> Path:
    try:
        return get_settings().logs_dir
    except ValueError:  # settings that refuse to load (pydantic's ValidationError) still need a log
        home = os.environ.get("EARMARK_HOME")
        return Settings.model_construct(**({"home": Path(home)} if home else {})).logs_dir


class _PrivateLogFile(logging.FileHandler):
    """A log file created on the first record, in a folder only its owner can read (traces may hold
    connection details)."""

    def _open(self):  # noqa: ANN202 (logging's own signature)
        Path(self.baseFilename).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        return super()._open()


def install_logging() -> None:
    """Send every library's log records to $EARMARK_HOME/logs/earmark.log (created on the first record).

    A handler on the root logger also stops `logging.warning(...)` in a library from calling
    basicConfig and printing to stderr. `earmark serve` hands logging back to uvicorn (the terminal).
    """
    handler = _PrivateLogFile(log_dir() / "earmark.log", delay=True, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


def settings_sentence(exc: Exception) -> str:
    """A settings error (pydantic) as the sentences its validators wrote, without pydantic's frame."""
    messages = []
    for error in getattr(exc, "errors", lambda: [])():
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        field = ".".join(str(part) for part in error.get("loc", ()))
        messages.append(f"{field}: {message}" if field else message)
    return "Earmark's settings are not valid: " + ("; ".join(messages) or str(exc).splitlines()[0])


def _lost_connection(link: BaseException) -> bool:
    names = {(klass.__module__, klass.__name__) for klass in type(link).__mro__}
    if names & _DATABASE_GONE:
        return True
    if not names & _DRIVER_ERRORS:
        return False
    driver = getattr(link, "orig", None) or link  # SQLAlchemy wraps the driver's exception
    state = getattr(driver, "sqlstate", None) or getattr(driver, "pgcode", None)
    return state is None or state.startswith("08") or state in _SHUTDOWN_STATES


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen


def database_gone(exc: BaseException) -> bool:
    return any(_lost_connection(link) for link in _chain(exc))


def write_trace(exc: BaseException, argv: list[str]) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = log_dir() / f"error-{stamp}-{os.getpid()}.log"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as out:
        out.write(f"earmark {' '.join(argv)}\n{datetime.now(UTC).isoformat()}\n\n")
        traceback.print_exception(exc, file=out)
    return path


def explain(exc: BaseException, argv: list[str] | None = None) -> str:
    """One sentence for an unexpected failure, after writing its trace to a file it names."""
    argv = list(sys.argv[1:] if argv is None else argv)
    command = "earmark " + " ".join(a for a in argv[:2] if not a.startswith("-"))
    try:
        where = f"; the full trace is in {write_trace(exc, argv)}"
    except OSError:
        where = ""
    if database_gone(exc):
        return (f"The database stopped answering during `{command.strip()}`: start it with "
                f"`earmark db start` (or check DATABASE_URL) and run the command again; nothing is "
                f"half-written, each step commits whole or not at all{where}.")
    first = (str(exc).strip().splitlines() or [""])[0][:300]
    return (f"`{command.strip()}` failed unexpectedly ({type(exc).__name__}: {first}); run it again, and "
            f"if it fails the same way, report it with the log{where}.")


__all__ = ["database_gone", "explain", "install_logging", "log_dir", "settings_sentence"]
