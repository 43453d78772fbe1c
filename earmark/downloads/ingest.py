"""Load one request log for one tenant: everything or nothing, every row accounted for
(rows = loaded + duplicates + rejected), idempotent on request_id.

A tenant's first load COPYs into its own new partition of downloads.requests (migration 0023); a later one
goes through a stage and the parent's policies. The address in plain text never reaches the database.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

import polars as pl
import psycopg
from psycopg import sql

from earmark import db, tenancy
from earmark.downloads import addresses, prepared, reader
from earmark.downloads.copying import copy_in, copy_out, hex_bytes
from earmark.downloads.lists import store
from earmark.errors import EarmarkError
from earmark.sqlfiles import load

REQUEST_COLUMNS = ("tenant_id", "request_id", "ts", "method", "address_id", "ip_key", "ua_id", "url_id",
                   "referer_id", "range_kind", "range_a", "range_b", "status", "bytes_sent", "batch_id")


class DownloadsIngestError(EarmarkError):
    """A request log that was not loaded; the sentence says why."""


@dataclass(frozen=True)
class IngestResult:
    tenant_id: str
    batch_id: str
    file: str
    rows: int
    loaded: int
    duplicates: int
    rejected: int
    first_day: str | None
    last_day: str | None
    seconds: float
    phases: dict[str, float]

    def as_json(self) -> dict:
        return asdict(self)

    def counts(self) -> dict[str, int]:
        return {"rows": self.rows, "loaded": self.loaded, "duplicates": self.duplicates,
                "rejected": self.rejected}


def _q(name: str) -> str:
    return load("earmark.downloads", name)


def ingest_file(tenant_id: UUID | str, path: Path | str) -> IngestResult:
    started, clock = time.perf_counter(), _Clock()
    path = Path(path)
    batch_id, started_at = uuid.uuid4(), datetime.now(UTC)
    with db.connect("transformer") as conn:
        tenant = tenancy.get_tenant(conn, tenant_id)
        if tenant.status != "active":
            raise DownloadsIngestError(f"Tenant {tenant.name} is {tenant.status}; "
                                       "reactivate it before ingesting.")
        lists = store.active(conn)
        try:
            ready, total = _read(path, lists, clock)
            counts = _load(conn, tenant.id, batch_id, path, started_at, ready, total, lists.version, clock)
        except (reader.RequestLogError, DownloadsIngestError) as exc:
            _record_failure(conn, tenant.id, batch_id, path, started_at, str(exc))
            raise DownloadsIngestError(str(exc)) from None
    return IngestResult(str(tenant.id), str(batch_id), str(path), **counts,
                        seconds=round(time.perf_counter() - started, 3), phases=clock.phases)


class _Clock:
    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.phases[phase] = round(self.phases.get(phase, 0.0) + now - self._last, 3)
        self._last = now


@dataclass
class _Ready:
    requests: pl.DataFrame
    strings: pl.DataFrame
    addresses: pl.DataFrame
    rejected: pl.DataFrame
    sha256: str


def _read(path: Path, lists: store.ActiveLists, clock: _Clock) -> tuple[_Ready, int]:
    keys = addresses.AddressKeys.from_settings()
    parts: dict[str, list[pl.DataFrame]] = {"requests": [], "strings": [], "addresses": [], "rejected": []}
    total = 0
    for batch in reader.batches(path):
        total += batch.valid.height + batch.rejected.height
        clock.lap("read")
        ready = prepared.prepare(batch.valid, keys, lists.cidrs)
        parts["requests"].append(ready.requests)
        parts["strings"].append(ready.strings)
        parts["addresses"].append(ready.addresses)
        parts["rejected"].extend([batch.rejected, ready.rejected])
        clock.lap("prepare")
    if total == 0:
        raise DownloadsIngestError(f"{path.name} holds no rows; a request log needs a header line and rows.")
    sha = reader.file_sha256(path)
    requests = pl.concat(parts["requests"]).unique("request_id", keep="first", maintain_order=True)
    found = pl.concat(parts["addresses"]).unique("address_id")
    clock.lap("prepare")
    return _Ready(requests, pl.concat(parts["strings"]).unique("string_id"), found,
                  pl.concat(parts["rejected"]).sort(reader.ROW), sha), total


def _load(conn: psycopg.Connection, tenant_id: UUID, batch_id: UUID, path: Path, started_at: datetime,
          ready: _Ready, total: int, list_version: int, clock: _Clock) -> dict:
    suffix = tenant_id.hex
    with db.tenant_transaction(conn, tenant_id):
        conn.execute(_q("work_memory"))
        conn.execute(_q("ingest_lock"), {"tenant_id": tenant_id})
        exists = conn.execute(_q("has_requests_partition"), {"suffix": suffix}).fetchone()[0]
        requests = _without_loaded(conn, tenant_id, ready.requests) if exists else ready.requests
        clock.lap("dedupe")
        conn.execute(_q("create_stages"))
        used = requests.select("address_id").unique()
        copy_in(conn, _q("copy_strings"), ready.strings)
        conn.execute(_q("insert_strings"), {"tenant_id": tenant_id})
        sealed = prepared.seal_addresses(ready.addresses.join(used, on="address_id"), tenant_id,
                                         addresses.AddressKeys.from_settings())
        copy_in(conn, _q("copy_addresses"), sealed.select("address_id", "ip_key", "in_datacenter",
                                                            hex_bytes("sealed")))
        conn.execute(_q("insert_addresses"), {"tenant_id": tenant_id, "list_version": list_version})
        clock.lap("strings_addresses")
        rows = requests.select(
            tenant_id=pl.lit(str(tenant_id)), request_id="request_id", ts=pl.from_epoch("ts_ms", "ms"),
            method="method", address_id="address_id", ip_key="ip_key", ua_id="ua_id", url_id="url_id",
            referer_id="referer_id", range_kind="range_kind", range_a="range_a", range_b="range_b",
            status="status", bytes_sent="bytes_sent", batch_id=pl.lit(str(batch_id)))
        columns = sql.SQL(", ").join(sql.Identifier(c) for c in REQUEST_COLUMNS)
        if exists:
            copy_in(conn, sql.SQL("copy requests_stage ({}) from stdin (format csv)").format(columns), rows)
            conn.execute(_q("insert_requests"))
        elif rows.height:
            table = conn.execute(_q("new_partition"), {"kind": "requests", "suffix": suffix}).fetchone()[0]
            copy_in(conn, sql.SQL("copy {} ({}) from stdin (format csv)").format(sql.SQL(table), columns),
                    rows.sort("request_id"))
            conn.execute(_q("attach_partition"), {"kind": "requests", "suffix": suffix,
                                                  "bound": str(tenant_id)})
        clock.lap("requests")
        days = requests["ts_ms"] // 86_400_000
        first_day = date.fromordinal(date(1970, 1, 1).toordinal() + int(days.min())) if rows.height else None
        last_day = date.fromordinal(date(1970, 1, 1).toordinal() + int(days.max())) if rows.height else None
        counts = {"rows": total, "loaded": rows.height,
                  "duplicates": total - rows.height - ready.rejected.height,
                  "rejected": ready.rejected.height}
        conn.execute(_q("insert_batch"), {
            "tenant_id": tenant_id, "batch_id": batch_id, "source_file": str(path),
            "file_sha256": ready.sha256, **counts, "first_day": first_day, "last_day": last_day,
            "status": "succeeded", "error": None, "started_at": started_at})
        if ready.rejected.height:
            copy_in(conn, _q("copy_rejected"), ready.rejected.select(reader.ROW, "reason", "record"))
            conn.execute(_q("insert_rejected"), {"tenant_id": tenant_id, "batch_id": batch_id})
        clock.lap("commit")
    return {**counts, "first_day": first_day and first_day.isoformat(),
            "last_day": last_day and last_day.isoformat()}


def _without_loaded(conn: psycopg.Connection, tenant_id: UUID, requests: pl.DataFrame) -> pl.DataFrame:
    conn.execute(_q("create_incoming_ids"))
    copy_in(conn, _q("copy_incoming_ids"), requests.select("request_id"))
    conn.execute("analyze incoming_request_ids")
    loaded = copy_out(conn, _q("copy_loaded_ids"), {"tenant_id": tenant_id}, {"request_id": pl.String})
    return requests.join(loaded, on="request_id", how="anti") if loaded.height else requests


def _record_failure(conn: psycopg.Connection, tenant_id: UUID, batch_id: UUID, path: Path,
                    started_at: datetime, error: str) -> None:
    with db.tenant_transaction(conn, tenant_id):
        conn.execute(_q("insert_batch"), {
            "tenant_id": tenant_id, "batch_id": batch_id, "source_file": str(path), "file_sha256": "",
            "rows": 0, "loaded": 0, "duplicates": 0, "rejected": 0, "first_day": None, "last_day": None,
            "status": "failed", "error": error, "started_at": started_at})
