"""What the Dagster runtime needs from the core: a DAGSTER_HOME on Postgres and landing folders.

No dagster import here: the core only prepares files and environment variables.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

from earmark import db
from earmark.ingest.reader import FORMATS
from earmark.settings import Settings, get_settings

# Shipped inside the package, so a wheel install finds it as a source checkout does.
DAGSTER_YAML = Path(str(files("earmark") / "dagster.yaml"))

# How Dagster records a run over a range of daily partitions (every attribution run is one): by default
# one "materialization planned" and one materialization event per asset and day, each its own insert on
# its own connection. For the demo's 91 days and 10 assets that was 1,820 inserts and 20 of a 30 s
# `earmark run` (bench/RESULTS.md). These two switches, both Dagster's own, write the materializations in
# batches and plan each asset's range in one event. The cost: when a ranged run fails, its partitions are
# not marked failed one by one (the run is, and the partitions keep their last materialization).
DAGSTER_RANGE_EVENTS = {
    "DAGSTER_EVENT_BATCH_SIZE": "1000",
    "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS": "true",
}


def dagster_storage_url(settings: Settings) -> str:
    # dagster-postgres with psycopg 3 and SQLAlchemy 2.1 installed needs the explicit psycopg2
    # driver in the scheme, or runs stay NOT_STARTED.
    url = db.url("owner", database=settings.dagster_database_name, settings=settings)
    return url.replace("postgresql://", "postgresql+psycopg2://", 1)


def prepare_dagster_home(settings: Settings | None = None) -> Path:
    """Point DAGSTER_HOME at $EARMARK_HOME/dagster with the project's dagster.yaml."""
    settings = settings or get_settings()
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    if not target.exists() or target.read_bytes() != DAGSTER_YAML.read_bytes():
        shutil.copyfile(DAGSTER_YAML, target)
    os.environ["DAGSTER_HOME"] = str(home)
    for name, value in DAGSTER_RANGE_EVENTS.items():
        os.environ.setdefault(name, value)
    # An explicit URL (docker-compose sets one) wins; otherwise the owner's, on the same server.
    if not os.environ.get("EARMARK_DAGSTER_PG_URL") or settings.uses_embedded_server:
        os.environ["EARMARK_DAGSTER_PG_URL"] = dagster_storage_url(settings)
    return home


def landing_folder(tenant_id: str, settings: Settings | None = None) -> Path:
    folder = (settings or get_settings()).landing_dir / str(tenant_id)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def waiting_files(tenant_id: str, settings: Settings | None = None) -> list[Path]:
    """Files in a tenant's landing folder that wait to be ingested, oldest first."""
    folder = landing_folder(tenant_id, settings)
    found = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in FORMATS]
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))


def file_landed(path: Path, folder: Path, note: str | None = None) -> Path:
    """Move a landed file into `folder` (processed/ or failed/) under a UTC time stamp, with the reason it
    failed beside it; returns where it went. Raises OSError when it cannot be moved."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{path.name}"
    shutil.move(path, target)
    if note:
        target.with_name(target.name + ".error.txt").write_text(note + "\n", encoding="utf-8")
    return target


TRANSCRIPTS_FOLDER = "transcripts"  # a tenant's landing folder holds its transcript files here


def transcript_landing_folder(tenant_id: str, settings: Settings | None = None) -> Path:
    folder = landing_folder(tenant_id, settings) / TRANSCRIPTS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def waiting_transcripts(tenant_id: str, settings: Settings | None = None) -> list[Path]:
    """Transcript files waiting in a tenant's landing folder transcripts/, oldest first.

    Only the folder's own regular files: a symbolic link, or a file that resolves outside the tenant's
    landing folder (through a linked folder), could hand this tenant's run another tenant's file or one of
    the server's, so it is skipped and logged. A file that goes away while the folder is listed (another run
    took it) is left out.
    """
    import logging
    import stat

    from earmark.ai.transcripts.parse import FORMATS as TRANSCRIPT_FORMATS

    settings = settings or get_settings()
    folder = transcript_landing_folder(tenant_id, settings)
    tenant_folder = settings.landing_dir.resolve() / str(tenant_id)
    found: list[tuple[int, str, Path]] = []
    for path in folder.iterdir():
        if path.suffix.lower() not in TRANSCRIPT_FORMATS:
            continue
        try:
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode) or not path.resolve(strict=True).is_relative_to(tenant_folder):
                logging.getLogger(__name__).warning(
                    "%s is a symbolic link or lies outside the landing folder of tenant %s: not loaded",
                    path, tenant_id)
                continue
        except OSError:
            continue
        if stat.S_ISREG(info.st_mode):
            found.append((info.st_mtime_ns, path.name, path))
    return [path for _, _, path in sorted(found)]


REQUESTS_FOLDER = "requests"  # a tenant's landing folder holds its request logs (.csv, .csv.gz) here


def request_log_landing_folder(tenant_id: str, settings: Settings | None = None) -> Path:
    folder = landing_folder(tenant_id, settings) / REQUESTS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def waiting_request_logs(tenant_id: str, settings: Settings | None = None) -> list[Path]:
    """Request logs waiting in a tenant's landing folder requests/, oldest first (regular files only: a link
    could hand this tenant's run another tenant's file)."""
    folder = request_log_landing_folder(tenant_id, settings)
    found = []
    for path in folder.iterdir():
        name = path.name.lower()
        if not (name.endswith(".csv") or name.endswith(".csv.gz")) or path.is_symlink() or not path.is_file():
            continue
        found.append((path.stat().st_mtime_ns, path.name, path))
    return [path for _, _, path in sorted(found)]
