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

# Exceptions (by module and name, so the core imports none of these libraries) that mean the database
# stopped answering: libpq through psycopg 3 or psycopg2, SQLAlchemy around it, dagster-postgres' retries.
_DATABASE_GONE = {
    ("psycopg", "OperationalError"), ("psycopg.errors", "AdminShutdown"), ("psycopg.errors", "CrashShutdown"),
    ("psycopg2", "OperationalError"), ("psycopg2.errors", "AdminShutdown"),
    ("sqlalchemy.exc", "OperationalError"), ("dagster_postgres.utils", "DagsterPostgresException"),
    ("earmark.db", "DatabaseUnavailable"), ("psycopg_pool", "PoolTimeout"),
}


def log_dir() -> Path:
    home = os.environ.get("EARMARK_HOME") or ".earmark"
    return Path(home).expanduser().resolve() / "logs"


def install_logging() -> None:
    """Send every library's log records to $EARMARK_HOME/logs/earmark.log (created on the first record).

    A handler on the root logger also stops `logging.warning(...)` in a library from calling
    basicConfig and printing to stderr.
    """
    handler = logging.FileHandler(log_dir() / "earmark.log", delay=True, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    log_dir().mkdir(parents=True, exist_ok=True)


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen


def database_gone(exc: BaseException) -> bool:
    for link in _chain(exc):
        for klass in type(link).__mro__:
            if (klass.__module__, klass.__name__) in _DATABASE_GONE:
                return True
    return False


def write_trace(exc: BaseException, argv: list[str]) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = log_dir() / f"error-{stamp}-{os.getpid()}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
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


__all__ = ["database_gone", "explain", "install_logging", "log_dir"]
