"""Ingest one file for one tenant: everything or nothing, every row accounted for."""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from uuid import UUID

import polars as pl
import psycopg

from earmark import db, tenancy
from earmark.ingest import reader
from earmark.ingest.errors import IngestFileError
from earmark.ingest.validate import LOADED_COLUMNS, validate

APPROX_BYTES_PER_EVENT = 200
COPY_SLICE_ROWS = 250_000


@dataclass(frozen=True)
class IngestResult:
    tenant_id: str
    batch_id: str
    file: str
    rows: int
    loaded: int
    duplicates: int
    rejected: int
    seconds: float
    phases: dict[str, float]

    def as_json(self) -> dict:
        return asdict(self)


def _sql(name: str) -> str:
    return (files("earmark.ingest") / "sql" / name).read_text("utf-8")


def ingest_file(tenant_id: UUID | str, path: Path | str) -> IngestResult:
    """Validate and load `path` into raw.events for `tenant_id`, as the transformer role."""
    started = time.perf_counter()
    started_at = datetime.now(UTC)
    path = Path(path)
    batch_id = uuid.uuid4()
    with db.connect("transformer") as conn:
        tenant = tenancy.get_tenant(conn, tenant_id)
        if tenant.status != "active":
            raise IngestFileError(f"Tenant {tenant.name} is {tenant.status}; reactivate it before ingesting.")
        settings = tenancy.get_settings(conn, tenant.id)
        conn.rollback()
        clock = _PhaseClock()
        try:
            raw = reader.read(path)
            clock.lap("read")
            checked = validate(raw, tenant.id, settings.time_zone, path.name)
            clock.lap("validate")
        except IngestFileError as exc:
            _record_failure(conn, tenant.id, batch_id, path, str(exc), started_at)
            raise
        rejected = checked.rejected.height
        with db.tenant_transaction(conn, tenant.id):
            loaded_at = _enter_ingest_barrier(conn)
            _check_quota(conn, tenant, checked.valid.height)
            loaded = _load_events(conn, tenant.id, batch_id, loaded_at, checked.valid, clock)
            duplicates = raw.total_rows - loaded - rejected
            conn.execute(_sql("insert_batch.sql"), {
                "tenant_id": tenant.id, "batch_id": batch_id, "source_file": str(path),
                "file_sha256": raw.sha256, "rows": raw.total_rows, "loaded": loaded,
                "duplicates": duplicates, "rejected": rejected, "status": "succeeded", "error": None,
                "started_at": started_at,
            })
            _quarantine(conn, tenant.id, batch_id, checked.rejected)
            tenancy.add_ingested_events(conn, tenant.id, loaded, loaded * APPROX_BYTES_PER_EVENT)
        clock.lap("commit")
    return IngestResult(
        tenant_id=str(tenant.id), batch_id=str(batch_id), file=str(path), rows=raw.total_rows,
        loaded=loaded, duplicates=duplicates, rejected=rejected,
        seconds=round(time.perf_counter() - started, 3), phases=clock.phases,
    )


class _PhaseClock:
    """Seconds spent per phase, reported with the result (the benchmark reads them)."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.phases[phase] = round(now - self._last, 3)
        self._last = now


def _enter_ingest_barrier(conn: psycopg.Connection) -> datetime:
    """Join the ingests an attribution run waits for; returns the loaded_at to stamp on this load's rows.

    The stamp is read only once the barrier is held: a run that passed the barrier first then started
    before it, so its successor's watermark (loaded_at > its start) still picks this load up.
    """
    conn.execute(_sql("enter_ingest_barrier.sql"))
    return conn.execute("select clock_timestamp()").fetchone()[0]


def _check_quota(conn: psycopg.Connection, tenant: tenancy.Tenant, incoming: int) -> None:
    limit = tenancy.tier_limits()[tenant.tier].events_per_month
    used = tenancy.usage(conn, tenant.id)["events_ingested"]
    if used + incoming > limit:
        raise IngestFileError(
            f"Loading {incoming:,} events would exceed tenant {tenant.name}'s monthly quota "
            f"({used:,} of {limit:,} used on the {tenant.tier} tier); upgrade the tier or split the file."
        )


def _copy_csv(conn: psycopg.Connection, statement: str, frame: pl.DataFrame) -> None:
    # Slices keep both cores busy: polars writes the next one while Postgres parses the last.
    with conn.cursor().copy(statement) as copy:
        for start in range(0, frame.height, COPY_SLICE_ROWS):
            copy.write(frame.slice(start, COPY_SLICE_ROWS).write_csv(include_header=False))


def _load_events(conn: psycopg.Connection, tenant_id: UUID, batch_id: UUID, loaded_at: datetime,
                 valid: pl.DataFrame, clock: _PhaseClock) -> int:
    if valid.is_empty():
        clock.lap("insert")
        return 0
    # One load per tenant at a time: the anti-join in insert_events.sql relies on it.
    conn.execute("select pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"ingest:{tenant_id}"])
    # The anti-join sorts the whole file by event_id; in memory that is a third faster than on disk.
    conn.execute("set local work_mem = '1GB'")
    conn.execute(_sql("create_stage.sql"))
    staged = valid.select(LOADED_COLUMNS).with_columns(pl.col("occurred_at").dt.epoch("us"))
    columns = ", ".join(LOADED_COLUMNS).replace("occurred_at", "occurred_at_us")
    _copy_csv(conn, f"copy events_stage ({columns}) from stdin (format csv)", staged)
    conn.execute("analyze events_stage")  # lets the planner pick a hash anti-join for big files
    clock.lap("copy_stage")
    loaded = conn.execute(_sql("insert_events.sql"),
                          {"tenant_id": tenant_id, "batch_id": batch_id, "loaded_at": loaded_at}).rowcount
    clock.lap("insert")
    return loaded


def _quarantine(conn: psycopg.Connection, tenant_id: UUID, batch_id: UUID, rejected: pl.DataFrame) -> None:
    if rejected.is_empty():
        return
    conn.execute(_sql("create_rejected_stage.sql"))
    frame = rejected.select(pl.col(reader.ROW).alias("row_number"), "reason", "record")
    _copy_csv(conn, "copy rejected_stage (row_number, reason, record) from stdin (format csv)", frame)
    conn.execute(_sql("insert_rejected.sql"), {"tenant_id": tenant_id, "batch_id": batch_id})


def _record_failure(conn: psycopg.Connection, tenant_id: UUID, batch_id: UUID, path: Path,
                    error: str, started_at: datetime) -> None:
    with db.tenant_transaction(conn, tenant_id):
        conn.execute(_sql("insert_batch.sql"), {
            "tenant_id": tenant_id, "batch_id": batch_id, "source_file": str(path), "file_sha256": "",
            "rows": 0, "loaded": 0, "duplicates": 0, "rejected": 0, "status": "failed", "error": error,
            "started_at": started_at,
        })
