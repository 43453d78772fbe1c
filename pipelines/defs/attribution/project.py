"""The dbt project as Dagster sees it: import-light, the manifest parsed only when it is missing."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from earmark.attribution.dbt_env import DBT_PROJECT_DIR, dbt_executable

attribution_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def manifest_path() -> Path:
    """The manifest, written by `dbt parse` when it is missing or older than the project's files.

    A fresh clone has none; an edited model must not keep its stale asset definition. Parsing needs
    no database.
    """
    path = attribution_project.manifest_path
    if not path.exists() or path.stat().st_mtime < _newest_source_mtime():
        subprocess.run(
            [dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
             "--profiles-dir", str(DBT_PROJECT_DIR)],
            check=True, cwd=DBT_PROJECT_DIR, env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        )
    return path


def _newest_source_mtime() -> float:
    sources = [DBT_PROJECT_DIR / "dbt_project.yml"]
    for folder in ("models", "macros", "tests"):
        sources.extend((DBT_PROJECT_DIR / folder).rglob("*.*"))
    return max(p.stat().st_mtime for p in sources if p.is_file())


class EarmarkDbtCliResource(DbtCliResource):
    """dagster-dbt's resource with two start-up costs removed (cProfile of `earmark run`, bench/RESULTS.md):

    - it knows dbt's version from the installed dbt-core instead of starting `dbt --version` before every
      run (2.5 s);
    - it opens no dbt adapter in Dagster's process before starting dbt (3.5 s: dbt's imports, profile,
      project and adapter plugin). dagster-dbt needs that adapter only to fetch column metadata or row
      counts after the run (`fetch_column_metadata`, `fetch_row_counts`), which Earmark does not ask for.

    The executable is the one of this environment (dbt_executable()).
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


def dbt_resource() -> DbtCliResource:
    """The dbt CLI resource; the connection comes from EARMARK_DBT_* (see earmark.attribution.dbt_env)."""
    return EarmarkDbtCliResource(project_dir=attribution_project, dbt_executable=dbt_executable())
