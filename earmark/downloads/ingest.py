"""Load one request log for one tenant: everything or nothing, every row accounted for
(rows = loaded + duplicates + rejected), idempotent on request_id.

A tenant's first load COPYs into its own new partition of downloads.requests (migration 0023); a later one
goes through a stage and the parent's policies. The address in plain text never reaches the database.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from uuid import UUID

import polars as pl
import psycopg
from psycopg import sql

from earmark import db, tenancy
from earmark.downloads import addresses, prepared, reader
from earmark.downloads.copying import copy_in, copy_statement, hex_bytes
from earmark.downloads.lists import store
from earmark.errors import EarmarkError
from earmark.sqlfiles import load

# What a load COPYs of a request and of an address: tenant_id and batch_id come from the new partition's
# defaults (a tenant's first load) or the stage's columns being filled in SQL (a later one).
REQUEST_COLUMNS = ("request_id", "ts", "method", "address_id", "ip_key", "ua_id", "url_id", "referer_id",
                   "range_kind", "range_a", "range_b", "status", "bytes_sent")
ADDRESS_COLUMNS = ("address_id", "ip_key", "sealed", "list_version", "in_datacenter")


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
            raise DownloadsIngestError(
                f"Tenant {tenant.name} is {tenant.status}; reactivate it before ingesting.")
        lists = store.active(conn)
        load_ = _Load(conn, tenant.id, batch_id, path, started_at, lists, clock)
        try:
            counts = load_.run()
        except (reader.RequestLogError, DownloadsIngestError) as exc:
            conn.rollback()
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


class _Seen:
    """The request ids of the load's earlier batches, to drop a repeat in a later one: their 64-bit hashes
    for a fast first look, and the ids themselves to confirm the rare hash that matches."""

    def __init__(self) -> None:
        self.hashes = pl.Series(dtype=pl.UInt64)
        self.ids: list[pl.DataFrame] = []

    def new(self, batch: pl.DataFrame) -> pl.DataFrame:
        batch = batch.unique("request_id", keep="first", maintain_order=True)
        hashes = batch["request_id"].hash()
        if self.hashes.len():
            maybe = hashes.is_in(self.hashes.implode())
            if maybe.any():
                earlier = pl.concat(self.ids)
                repeated = batch.filter(maybe).join(earlier, on="request_id", how="semi")["request_id"]
                batch = batch.filter(~batch["request_id"].is_in(repeated.implode()))
                hashes = batch["request_id"].hash()
        self.hashes = pl.concat([self.hashes, hashes])
        self.ids.append(batch.select("request_id"))
        return batch


class _Load:
    """One file into one tenant's tables, in one transaction: batches are read, checked and prepared while
    the previous one is COPYed (polars on one core, the server on the other)."""

    def __init__(self, conn: psycopg.Connection, tenant_id: UUID, batch_id: UUID, path: Path,
                 started_at: datetime, lists: store.ActiveLists, clock: _Clock) -> None:
        self.conn, self.tenant_id, self.batch_id, self.path = conn, tenant_id, batch_id, path
        self.started_at, self.lists, self.clock = started_at, lists, clock
        self.keys = addresses.AddressKeys.from_settings()

    def run(self) -> dict:
        conn, clock, params = self.conn, self.clock, {"tenant_id": self.tenant_id}
        book, strings = prepared.AddressBook(self.keys, self.lists.cidrs), prepared.StringBook()
        seen = _Seen()
        total = staged = rejected = 0
        first_ms = last_ms = None
        with db.tenant_transaction(conn, self.tenant_id):
            conn.execute(_q("work_memory"))
            conn.execute(_q("ingest_lock"), params)
            conn.execute(_q("create_stages"))
            fresh = not self._has("requests")
            target = self._open("requests", fresh)
            for batch in reader.batches(self.path):
                total += batch.valid.height + batch.rejected.height
                clock.lap("read")
                ready = prepared.prepare(batch.valid, book, strings)
                rows = seen.new(ready.requests)
                clock.lap("prepare")
                if rows.height:
                    copy_in(conn, copy_statement(target, REQUEST_COLUMNS),
                            rows.with_columns(ts=pl.from_epoch("ts_ms", "ms")).select(REQUEST_COLUMNS))
                    staged += rows.height
                    low, high = rows["ts_ms"].min(), rows["ts_ms"].max()
                    first_ms = low if first_ms is None else min(first_ms, low)
                    last_ms = high if last_ms is None else max(last_ms, high)
                for part in (batch.rejected, ready.rejected):
                    if part.height:
                        copy_in(conn, _q("copy_rejected"), part.select(reader.ROW, "reason", "record"))
                        rejected += part.height
                clock.lap("requests")
            if total == 0:
                raise DownloadsIngestError(
                    f"{self.path.name} holds no rows; a request log needs a header line and rows.")
            loaded = self._close_requests(fresh, staged)
            clock.lap("requests")
            self._store_strings_and_addresses(book, strings)
            clock.lap("strings_addresses")
            counts = {"rows": total, "loaded": loaded, "duplicates": total - loaded - rejected,
                      "rejected": rejected}
            days = {"first_day": _day(first_ms), "last_day": _day(last_ms)}
            conn.execute(_q("insert_batch"), {
                "tenant_id": self.tenant_id, "batch_id": self.batch_id, "source_file": str(self.path),
                "file_sha256": reader.file_sha256(self.path), **counts, **days, "status": "succeeded",
                "error": None, "started_at": self.started_at})
            if rejected:
                conn.execute(_q("insert_rejected"), {"tenant_id": self.tenant_id, "batch_id": self.batch_id})
            clock.lap("commit")
        return {**counts, **{k: v and v.isoformat() for k, v in days.items()}}

    def _has(self, kind: str) -> bool:
        found = self.conn.execute(_q("has_partition"), {"kind": kind, "suffix": self.tenant_id.hex})
        return found.fetchone()[0]

    def _open(self, kind: str, fresh: bool) -> sql.Composable:
        """Where this load's rows of `kind` go: the tenant's new partition (its first load) or a stage."""
        if fresh:
            name = self.conn.execute(_q("new_partition"), {
                "kind": kind, "suffix": self.tenant_id.hex, "tenant": self.tenant_id,
                "batch": self.batch_id if kind == "requests" else None}).fetchone()[0]
            return sql.SQL(name)
        if kind == "requests":
            self.conn.execute(_q("create_later_stages"))
        return sql.Identifier(f"{kind}_stage")

    def _close_requests(self, fresh: bool, staged: int) -> int:
        if fresh:
            self._attach("requests")
            return staged
        return self.conn.execute(_q("insert_requests"), {"tenant_id": self.tenant_id,
                                                         "batch_id": self.batch_id}).rowcount

    def _attach(self, kind: str) -> None:
        self.conn.execute(_q("attach_partition"), {"kind": kind, "suffix": self.tenant_id.hex,
                                                   "bound": str(self.tenant_id)})

    def _store_strings_and_addresses(self, book: prepared.AddressBook, strings: prepared.StringBook) -> None:
        conn = self.conn
        copy_in(conn, _q("copy_strings"), strings.stored())
        conn.execute(_q("insert_strings"), {"tenant_id": self.tenant_id})
        found = book.stored()
        if found.is_empty():
            return
        fresh = not self._has("addresses")
        target = self._open("addresses", fresh)
        sealed = prepared.seal_addresses(found, self.tenant_id, self.keys).with_columns(
            list_version=pl.lit(self.lists.version))
        copy_in(conn, copy_statement(target, ADDRESS_COLUMNS),
                sealed.with_columns(sealed=hex_bytes("sealed")).select(ADDRESS_COLUMNS))
        if fresh:
            self._attach("addresses")
        else:
            conn.execute(_q("insert_addresses"), {"tenant_id": self.tenant_id})


def _day(ms: int | None) -> date | None:
    return None if ms is None else (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)).date()


def _record_failure(conn: psycopg.Connection, tenant_id: UUID, batch_id: UUID, path: Path,
                    started_at: datetime, error: str) -> None:
    with db.tenant_transaction(conn, tenant_id):
        conn.execute(_q("insert_batch"), {
            "tenant_id": tenant_id, "batch_id": batch_id, "source_file": str(path), "file_sha256": "",
            "rows": 0, "loaded": 0, "duplicates": 0, "rejected": 0, "first_day": None, "last_day": None,
            "status": "failed", "error": error, "started_at": started_at})
