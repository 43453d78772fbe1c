"""Ingest one file for one tenant: everything or nothing, every row accounted for."""

from __future__ import annotations

import io
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import polars as pl
import psycopg
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

from earmark import db, tenancy
from earmark.ingest import reader
from earmark.ingest.errors import IngestFileError
from earmark.ingest.validate import LOADED_COLUMNS, PIXEL_COLUMNS, Validated, validate
from earmark.sqlfiles import load

APPROX_BYTES_PER_EVENT = 200
COPY_SLICE_ROWS = 250_000
# A tenant's first load of at least this many rows COPYs them into its new partition; a smaller one is
# inserted through the stage like every later load (a few ms of DDL buy nothing there).
DIRECT_LOAD_MIN_ROWS = 20_000
DIRECT_COLUMNS = tuple(c for c in LOADED_COLUMNS if c not in ("promo_code", "vanity_url"))


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


@dataclass(frozen=True)
class _Batch:
    """One file's load: who, what, and when it started (for raw.ingest_batches)."""

    tenant: tenancy.Tenant
    batch_id: UUID
    path: Path
    started_at: datetime

    def row(self, *, status: str, file_sha256: str = "", rows: int = 0, loaded: int = 0,
            duplicates: int = 0, rejected: int = 0, error: str | None = None) -> dict:
        """The parameters of insert_batch.sql for this batch."""
        return {"tenant_id": self.tenant.id, "batch_id": self.batch_id, "source_file": str(self.path),
                "file_sha256": file_sha256, "rows": rows, "loaded": loaded, "duplicates": duplicates,
                "rejected": rejected, "status": status, "error": error, "started_at": self.started_at}


def ingest_file(tenant_id: UUID | str, path: Path | str) -> IngestResult:
    """Validate and load `path` into raw.events for `tenant_id`, as the transformer role."""
    started = time.perf_counter()
    clock = _PhaseClock()
    with db.connect("transformer") as conn:
        batch = _Batch(_active_tenant(conn, tenant_id), uuid.uuid4(), Path(path), datetime.now(UTC))
        time_zone = tenancy.get_settings(conn, batch.tenant.id).time_zone
        raw, checked = _read_and_validate(conn, batch, time_zone, clock)
        counts = _load(conn, batch, raw, checked, clock)
        clock.lap("commit")
    return IngestResult(
        tenant_id=str(batch.tenant.id), batch_id=str(batch.batch_id), file=str(batch.path), **counts,
        seconds=round(time.perf_counter() - started, 3), phases=clock.phases,
    )


def _active_tenant(conn: psycopg.Connection, tenant_id: UUID | str) -> tenancy.Tenant:
    tenant = tenancy.get_tenant(conn, tenant_id)
    if tenant.status != "active":
        raise IngestFileError(f"Tenant {tenant.name} is {tenant.status}; reactivate it before ingesting.")
    return tenant


def _read_and_validate(conn: psycopg.Connection, batch: _Batch, time_zone: str,
                       clock: _PhaseClock) -> tuple[reader.RawFile, Validated]:
    """The file read and its rows checked, in memory; a file that cannot be read is recorded as failed."""
    try:
        raw = reader.read(batch.path)
        clock.lap("read")
        checked = validate(raw, batch.tenant.id, time_zone, batch.path.name)
        clock.lap("validate")
    except IngestFileError as exc:
        _record_failure(conn, batch, str(exc))
        raise
    return raw, checked


def _load(conn: psycopg.Connection, batch: _Batch, raw: reader.RawFile, checked: Validated,
          clock: _PhaseClock) -> dict[str, int]:
    """Everything or nothing, in one tenant transaction: events, the batch row, the quarantine, usage.
    Returns the accounting: rows = loaded + duplicates + rejected."""
    tenant = batch.tenant
    with db.tenant_transaction(conn, tenant.id):
        loaded_at = _enter_ingest_barrier(conn)
        _check_quota(conn, tenant, checked.valid.height)
        loaded = _load_events(conn, tenant.id, batch.batch_id, loaded_at, checked.valid, clock)
        rejected = checked.rejected.height
        counts = {"rows": raw.total_rows, "loaded": loaded, "duplicates": raw.total_rows - loaded - rejected,
                  "rejected": rejected}
        conn.execute(load("earmark.ingest", "insert_batch"),
                     batch.row(status="succeeded", file_sha256=raw.sha256, **counts))
        _quarantine(conn, tenant.id, batch.batch_id, checked.rejected)
        tenancy.add_ingested_events(conn, tenant.id, loaded, loaded * APPROX_BYTES_PER_EVENT)
    return counts


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
    conn.execute(load("earmark.ingest", "enter_ingest_barrier"))
    return conn.execute(load("earmark.ingest", "loaded_at")).fetchone()[0]


def _check_quota(conn: psycopg.Connection, tenant: tenancy.Tenant, incoming: int) -> None:
    limit = tenancy.tier_limits()[tenant.tier].events_per_month
    used = tenancy.usage(conn, tenant.id)["events_ingested"]
    if used + incoming > limit:
        raise IngestFileError(
            f"Loading {incoming:,} events would exceed tenant {tenant.name}'s monthly quota "
            f"({used:,} of {limit:,} used on the {tenant.tier} tier); upgrade the tier or split the file."
        )


def _copy_csv(conn: psycopg.Connection, statement: str | sql.Composed, frame: pl.DataFrame) -> None:
    # Slices keep both cores busy: polars writes the next one while a writer thread hands the last to
    # Postgres (a plain write blocks until the server has read nearly all of it).
    cursor = conn.cursor()
    with cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
        for start in range(0, frame.height, COPY_SLICE_ROWS):
            copy.write(frame.slice(start, COPY_SLICE_ROWS).write_csv(
                include_header=False, datetime_format="%Y-%m-%d %H:%M:%S%.6f+00"))


def _load_events(conn: psycopg.Connection, tenant_id: UUID, batch_id: UUID, loaded_at: datetime,
                 valid: pl.DataFrame, clock: _PhaseClock) -> int:
    """Rows written to raw.events. A tenant's first load also creates its partition (migration 0016):
    a big one COPYs its rows straight into the new table, whose indexes ATTACH then builds once."""
    if valid.is_empty():
        clock.lap("insert")
        return 0
    partition = _open_partition(conn, tenant_id, batch_id, loaded_at)
    conn.execute(load("earmark.ingest", "stage_in_memory"))
    loaded = 0
    if partition is None:
        valid = _without_loaded(conn, tenant_id, valid)
        clock.lap("dedupe")
    else:
        if valid.height >= DIRECT_LOAD_MIN_ROWS:
            loaded, valid = _copy_into_partition(conn, partition, valid)
            clock.lap("copy_partition")
        conn.execute(load("earmark.ingest", "attach_partition"), {"tenant_id": tenant_id})
        clock.lap("attach_partition")
    if valid.is_empty():
        return loaded
    conn.execute(load("earmark.ingest", "create_stage"))
    staged = valid.select(_with_pixels(LOADED_COLUMNS, valid)).with_columns(
        pl.col("occurred_at").dt.epoch("us"))
    copy_stage = sql.SQL(load("earmark.ingest", "copy_stage")).format(
        columns=_column_list(staged.columns, {"occurred_at": "occurred_at_us"}))
    _copy_csv(conn, copy_stage, staged)
    conn.execute(load("earmark.ingest", "analyze_stage"))
    clock.lap("copy_stage")
    loaded += conn.execute(load("earmark.ingest", "insert_events"),
                           {"tenant_id": tenant_id, "batch_id": batch_id, "loaded_at": loaded_at}).rowcount
    clock.lap("insert")
    return loaded


def _copy_into_partition(conn: psycopg.Connection, partition: str,
                         valid: pl.DataFrame) -> tuple[int, pl.DataFrame]:
    """COPY the rows into the new partition as validated; returns how many, and the rest: rows naming a
    promo code or vanity URL, which take the staged insert (it links them to the catalog)."""
    unlinked = pl.col("promo_code").is_null() & pl.col("vanity_url").is_null()
    direct = valid.filter(unlinked).select(_with_pixels(DIRECT_COLUMNS, valid))
    _copy_csv(conn, sql.SQL(load("earmark.ingest", "copy_partition")).format(
        partition=sql.SQL(partition), columns=_column_list(direct.columns)), direct)
    return direct.height, valid.filter(~unlinked)


def _with_pixels(columns: tuple[str, ...], valid: pl.DataFrame) -> tuple[str, ...]:
    """The columns to COPY: the pixel ones only when the file had them (validate.PIXEL_COLUMNS)."""
    return columns + tuple(c for c in PIXEL_COLUMNS if c in valid.columns)


def _column_list(columns: list[str], renamed: dict[str, str] | None = None) -> sql.Composed:
    renamed = renamed or {}
    return sql.SQL(", ").join(sql.Identifier(renamed.get(c, c)) for c in columns)


def _without_loaded(conn: psycopg.Connection, tenant_id: UUID, valid: pl.DataFrame) -> pl.DataFrame:
    """The rows whose event_id raw.events does not hold yet (event_id is the idempotency key).

    Only the ids travel: a re-ingest of 4 M events stages 70 MB of ids instead of 560 MB of rows, and a
    file of new events gets nothing back. The caller holds the tenant's ingestion lock, so no load can
    add an id between this check and the insert (whose primary key would refuse it anyway).
    """
    conn.execute(load("earmark.ingest", "create_incoming_ids"))
    _copy_csv(conn, load("earmark.ingest", "copy_incoming_ids"), valid.select("event_id"))
    conn.execute(load("earmark.ingest", "analyze_incoming_ids"))
    with conn.cursor().copy(load("earmark.ingest", "copy_loaded_ids"), {"tenant_id": tenant_id}) as copy:
        answer = b"".join(bytes(block) for block in copy)
    if not answer:
        return valid
    loaded = pl.read_csv(io.BytesIO(answer), has_header=False, new_columns=["event_id"],
                         schema_overrides={"event_id": pl.String})
    return valid.join(loaded, on="event_id", how="anti")


def _open_partition(conn: psycopg.Connection, tenant_id: UUID | str, batch_id: UUID,
                    loaded_at: datetime) -> str | None:
    """Take the tenant's ingestion lock; then None if its partition of raw.events exists, else the name
    of its new, unattached partition, whose defaults stamp this load (attach_partition.sql attaches it)."""
    params = {"tenant_id": str(tenant_id)}
    conn.execute(load("earmark.ingest", "lock_tenant_loads"), params)
    if conn.execute(load("earmark.ingest", "has_partition"), params).fetchone()[0]:
        return None
    return conn.execute(load("earmark.ingest", "create_partition"),
                        {**params, "batch_id": batch_id, "loaded_at": loaded_at}).fetchone()[0]


def ensure_partition(conn: psycopg.Connection, tenant_id: UUID | str) -> None:
    """Create the tenant's (empty) partition of raw.events unless it exists, inside the caller's
    transaction: for loaders other than ingest_file (the synthetic one for tests and benchmarks)."""
    if _open_partition(conn, tenant_id, uuid.uuid4(), datetime.now(UTC)) is not None:
        conn.execute(load("earmark.ingest", "attach_partition"), {"tenant_id": str(tenant_id)})


def _quarantine(conn: psycopg.Connection, tenant_id: UUID, batch_id: UUID, rejected: pl.DataFrame) -> None:
    if rejected.is_empty():
        return
    conn.execute(load("earmark.ingest", "create_rejected_stage"))
    frame = rejected.select(pl.col(reader.ROW).alias("row_number"), "reason", "record")
    _copy_csv(conn, load("earmark.ingest", "copy_rejected_stage"), frame)
    conn.execute(load("earmark.ingest", "insert_rejected"), {"tenant_id": tenant_id, "batch_id": batch_id})


def _record_failure(conn: psycopg.Connection, batch: _Batch, error: str) -> None:
    with db.tenant_transaction(conn, batch.tenant.id):
        conn.execute(load("earmark.ingest", "insert_batch"), batch.row(status="failed", error=error))
