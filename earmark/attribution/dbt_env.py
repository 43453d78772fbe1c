"""Where the dbt project lives and the environment its profile reads (it connects as the transformer)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from earmark import db
from earmark.settings import Settings, get_settings

# dbt_project/ is a sibling of the earmark package in the source tree.
DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"


def dbt_environment(settings: Settings | None = None) -> dict[str, str]:
    """The EARMARK_DBT_* variables profiles.yml reads, from the transformer's connection URL.

    For the embedded server the host is its unix-socket directory (libpq takes a path as host).
    """
    settings = settings or get_settings()
    parts = urlsplit(db.url("transformer", settings=settings))
    query = parse_qs(parts.query)
    host = query.get("host", [parts.hostname or "localhost"])[0]
    env = {
        "EARMARK_DBT_HOST": unquote(host),
        "EARMARK_DBT_PORT": str(parts.port or int(query.get("port", ["5432"])[0])),
        "EARMARK_DBT_USER": unquote(parts.username or db.ROLE_NAMES["transformer"]),
        "EARMARK_DBT_DBNAME": unquote(parts.path.lstrip("/") or settings.database_name),
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
    }
    if parts.password:
        env["EARMARK_DBT_PASSWORD"] = unquote(parts.password)
    return env


def dbt_executable() -> str:
    """dbt from this interpreter's environment: a venv's bin/ is often not on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def run_dbt(*args: str, dbt_vars: dict | None = None, executable: str | None = None
            ) -> subprocess.CompletedProcess[str]:
    """Run the dbt project as the transformer (tests, benchmarks): `run_dbt("build", "--select", ...)`.

    Output is captured; the caller decides what a failure means.
    """
    command = [executable or dbt_executable(), *args, "--project-dir", str(DBT_PROJECT_DIR)]
    if dbt_vars:
        command += ["--vars", json.dumps(dbt_vars)]
    return subprocess.run(command, cwd=DBT_PROJECT_DIR, env={**os.environ, **dbt_environment()},
                          capture_output=True, text=True)
