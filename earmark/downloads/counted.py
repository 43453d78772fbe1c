"""Count UTC days first..last for every tenant and replace what was counted for them, in one transaction.

Each day's results are a partition of downloads.request_outcomes and downloads.downloads holding every
tenant's rows, written fresh and swapped in (migration 0023). A window starts from the rolling state the day
before it left (counting.py, count_carried.sql) and reads one day past its end (a download's 24 h reach
there); when the recount changed what the last day hands to the next, the next day is recounted too, so
counting day by day, late files included, gives what one fresh count of everything gives.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from uuid import UUID

import polars as pl
import psycopg
from psycopg import sql

from earmark import db
from earmark.downloads import addresses, counting
from earmark.downloads.copying import copy_in, copy_out, copy_statement
from earmark.downloads.lists import store
from earmark.settings import get_settings
from earmark.sqlfiles import load

REQUEST_SCHEMA = {"request_id": pl.String, "ts_ms": pl.Int64, "method": pl.String, "status": pl.Int32,
                  "ip_key": pl.Int64, "address_id": pl.Int64, "ua_id": pl.Int64, "url_id": pl.Int64,
                  "range_kind": pl.Int8, "range_a": pl.Int64, "range_b": pl.Int64, "bytes_sent": pl.Int64,
                  "kind": pl.Int8}
OUTCOME_COLUMNS = ("tenant_id", "day", "request_id", "fixed_reason", "fixed_download", "rolling_reason",
                   "rolling_download", "rolling_download_day")
DOWNLOAD_COLUMNS = ("tenant_id", "day", "mode", "download_id", "episode_id", "ip_key", "ua_id",
                    "qualified_at", "requests", "bytes", "ads_delivered")
DELIVERED_COLUMNS = ("tenant_id", "day", "mode", "download_id", "ad_id")


@dataclass
class CountSummary:
    first: date
    last: date
    tenants: int = 0
    requests: int = 0
    downloads: dict[str, int] = field(default_factory=lambda: {"fixed": 0, "rolling": 0})
    list_version: int = 0
    spike_threshold: int = 0
    phases: dict[str, float] = field(default_factory=dict)
    handover_changed: bool = False  # what the last day hands on changed: the next day needs a recount
    rows_by_tenant: dict[str, int] = field(default_factory=dict)  # requests read per tenant (the cost ledger)

    def as_json(self) -> dict:
        return {"first": self.first.isoformat(), "last": self.last.isoformat(), "tenants": self.tenants,
                "requests": self.requests, "downloads": self.downloads, "list_version": self.list_version,
                "spike_threshold": self.spike_threshold, "phases": self.phases}


def _q(name: str) -> str:
    return load("earmark.downloads", name)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, clock_time(0), tzinfo=UTC)


def stale_range(conn: psycopg.Connection) -> tuple[date, date] | None:
    """The days a run should count: from the first stale day to the day after the last (a change reaches
    into the next day in rolling mode; count_days recounts the day before as well), or None when every day
    is current."""
    lists = store.active(conn)
    first, last = conn.execute(_q("stale_days"), {"version": lists.version,
                                                 "threshold": get_settings().ip_spike_threshold}).fetchone()
    if first is None:
        return None
    known_first, known_last = conn.execute(_q("request_days")).fetchone()
    return max(first, known_first), min(last + timedelta(days=1), known_last)


def count_days(first: date, last: date) -> CountSummary:
    """Count first..last, the day before it (its rolling downloads reach 24 h into `first`: their duplicates,
    bytes and delivered ads there belong to them), and each following day while a recount changed what the
    day before hands on."""
    summary = _count_window(first - timedelta(days=1), last)
    changed, day = summary.handover_changed, last
    while changed:
        with db.connect("transformer") as conn:
            known_last = conn.execute(_q("request_days")).fetchone()[1]
        if known_last is None or day >= known_last:
            break
        day += timedelta(days=1)
        more = _count_window(day, day)
        summary.last, summary.requests, changed = day, summary.requests + more.requests, more.handover_changed
        for mode, n in more.downloads.items():
            summary.downloads[mode] += n
        for tenant, n in more.rows_by_tenant.items():
            summary.rows_by_tenant[tenant] = summary.rows_by_tenant.get(tenant, 0) + n
    return summary


def _count_window(first: date, last: date) -> CountSummary:
    settings = get_settings()
    started = time.perf_counter()
    summary = CountSummary(first, last, spike_threshold=settings.ip_spike_threshold)
    keys = addresses.AddressKeys.from_settings(settings)

    def lap(name: str) -> None:
        nonlocal started
        now = time.perf_counter()
        summary.phases[name] = round(summary.phases.get(name, 0.0) + now - started, 3)
        started = now

    with db.connect("transformer") as conn, conn.transaction():
        conn.execute(_q("work_memory"))
        lists = store.active(conn)
        summary.list_version = lists.version
        handover_before = conn.execute(_q("handover"), {"day": last}).fetchone()[0]
        tenants = [row[0] for row in conn.execute(_q("count_tenants"), {"first": first - timedelta(days=1),
                                                                        "last": last + timedelta(days=1)})]
        outcomes, downloads, ads, days = [], [], [], []
        rules = counting.Rules(lists.bots, settings.ip_spike_threshold)
        for tenant_id in tenants:
            _refresh_datacenters(conn, tenant_id, lists, keys)
            lap("datacenters")
            frame = _requests(conn, tenant_id, first, last)
            lap("read")
            revision = conn.execute(_q("catalog_revision"), {"tenant_id": tenant_id}).fetchone()[0]
            spanned = [r[0] for r in conn.execute(_q("batch_days"), {"tenant_id": tenant_id, "first": first,
                                                                    "last": last})]
            if frame.filter(pl.col("kind") == 0).is_empty():
                days.extend((tenant_id, d, 0, revision) for d in spanned)
                continue
            summary.tenants += 1
            summary.requests += frame.filter(pl.col("kind") == 0).height
            summary.rows_by_tenant[str(tenant_id)] = frame.height
            counted = _count_tenant(conn, tenant_id, frame, rules, first, last)
            del frame  # its requests (1 GiB at 10 M) are not held through the next tenants and the write
            lap("count")
            tid = pl.lit(str(tenant_id))
            outcomes.append(counted.outcomes.with_columns(tenant_id=tid))
            downloads.append(counted.downloads.with_columns(tenant_id=tid))
            ads.append(counted.ads.with_columns(tenant_id=tid))
            # every day the logs span, a quiet one too (with 0), so it never looks uncounted to stale_days
            per_day = dict(counted.outcomes.group_by("day").len().iter_rows())
            days.extend((tenant_id, d, n, revision) for d, n in per_day.items())
            days.extend((tenant_id, d, 0, revision) for d in spanned if d not in per_day)
        _write(conn, first, last, outcomes, downloads, ads, days, lists.version, settings.ip_spike_threshold)
        for frame in downloads:
            for mode, n in frame.group_by("mode").len().iter_rows():
                summary.downloads[mode] += n
        lap("write")
        summary.handover_changed = (conn.execute(_q("handover"), {"day": last}).fetchone()[0]
                                    != handover_before)
    return summary


def _requests(conn: psycopg.Connection, tenant_id: UUID, first: date, last: date) -> pl.DataFrame:
    window = copy_out(conn, _q("count_requests"), {
        "tenant_id": tenant_id, "start": _midnight(first), "stop": _midnight(last + timedelta(days=2)),
        "kind": 0}, REQUEST_SCHEMA)
    carried = copy_out(conn, _q("count_carried"), {
        "tenant_id": tenant_id, "day": first - timedelta(days=1), "window_start": _midnight(first)},
        REQUEST_SCHEMA)
    verdicts = copy_out(conn, _q("count_addresses"), {"tenant_id": tenant_id},
                        {"address_id": pl.Int64, "in_datacenter": pl.Int8})
    # Every request's address is stored with it (ingest.py), so the left join leaves no null verdict.
    return (pl.concat([carried, window]).join(verdicts, on="address_id", how="left", maintain_order="left")
            .with_columns(pl.col("in_datacenter").cast(pl.Boolean)).drop("address_id"))


def _count_tenant(conn: psycopg.Connection, tenant_id: UUID, frame: pl.DataFrame, rules: counting.Rules,
                  first: date, last: date) -> counting.Counted:
    episodes = pl.DataFrame(conn.execute(_q("count_episodes"), {"tenant_id": tenant_id}).fetchall(),
                            schema=counting_episode_schema(), orient="row")
    slots = pl.DataFrame(conn.execute(_q("count_ad_slots"), {"tenant_id": tenant_id}).fetchall(),
                         schema={"ad_id": pl.String, "episode_id": pl.String, "kind": pl.String,
                                 "start_byte": pl.Int64, "end_byte": pl.Int64}, orient="row")
    ids = pl.concat([frame["url_id"], frame["ua_id"]]).unique().to_list()
    strings = pl.DataFrame(conn.execute(_q("count_strings"), {"tenant_id": tenant_id, "ids": ids}).fetchall(),
                           schema={"string_id": pl.Int64, "value": pl.String}, orient="row")
    epoch = date(1970, 1, 1).toordinal()
    return counting.count(frame, strings.rename({"string_id": "url_id", "value": "url"}),
                          strings.rename({"string_id": "ua_id", "value": "user_agent"}),
                          counting.Catalog(episodes, slots), rules,
                          keep_days=(first.toordinal() - epoch, last.toordinal() - epoch))


def counting_episode_schema() -> dict:
    return {"episode_id": pl.String, "show_id": pl.String, "enclosure_url": pl.String,
            "bytes_total": pl.Int64, "duration_s": pl.Float64, "id3_bytes": pl.Int64}


def _refresh_datacenters(conn: psycopg.Connection, tenant_id: UUID, lists: store.ActiveLists,
                         keys: addresses.AddressKeys) -> None:
    """Addresses decided under another list: opened, checked against the active one, stamped with it."""
    stale = conn.execute(_q("stale_addresses"), {"tenant_id": tenant_id, "version": lists.version}).fetchall()
    if not stale:
        return
    decided = [(address_id, lists.cidrs.contains(addresses.parse(keys.open(tenant_id, address_id, sealed))))
               for address_id, sealed in stale]
    with conn.cursor() as cur:
        cur.executemany(_q("update_address_datacenter"),
                        [(inside, lists.version, tenant_id, aid) for aid, inside in decided])


def _write(conn: psycopg.Connection, first: date, last: date, outcomes: list, downloads: list, ads: list,
           days: list, list_version: int, threshold: int) -> None:
    outcome_frame = (pl.concat(outcomes) if outcomes else pl.DataFrame(
        schema={**counting.EMPTY_OUTCOMES, "tenant_id": pl.String})).select(OUTCOME_COLUMNS)
    download_frame = (pl.concat(downloads) if downloads else pl.DataFrame(
        schema={"tenant_id": pl.String, "day": pl.Date, "mode": pl.String, "download_id": pl.String,
                "episode_id": pl.String, "ip_key": pl.Int64, "ua_id": pl.Int64, "qualified_ms": pl.Int64,
                "requests": pl.Int32, "bytes": pl.Int64, "ads_delivered": pl.Int32}))
    download_frame = download_frame.with_columns(qualified_at=pl.from_epoch("qualified_ms", "ms")).select(
        DOWNLOAD_COLUMNS)
    delivered = (pl.concat(ads) if ads else pl.DataFrame(
        schema={"tenant_id": pl.String, "day": pl.Date, "mode": pl.String, "download_id": pl.String,
                "ad_id": pl.String})).select(DELIVERED_COLUMNS)
    # Each day of every result table is written fresh into an unattached table by COPY and swapped in for the
    # day it replaces; ATTACH builds the primary key in one pass (delivered ads are sorted by theirs: sorting
    # the others by their whole key cost more than it saved, bench/RESULTS.md).
    results = (("request_outcomes", outcome_frame, OUTCOME_COLUMNS, ("tenant_id", "day")),
               ("downloads", download_frame, DOWNLOAD_COLUMNS, ("tenant_id", "day")),
               ("delivered_ads", delivered, DELIVERED_COLUMNS, DELIVERED_COLUMNS))
    day = first
    while day <= last:
        suffix = day.strftime("%Y%m%d")
        for kind, frame, columns, order in results:
            table = conn.execute(_q("new_partition"), {"kind": kind, "suffix": suffix, "tenant": None,
                                                         "batch": None}).fetchone()[0]
            rows = frame.filter(pl.col("day") == day).sort(order)
            if rows.height:
                copy_in(conn, copy_statement(sql.SQL(table), columns), rows)
            conn.execute(_q("attach_partition"), {"kind": kind, "suffix": suffix, "bound": day.isoformat()})
        day += timedelta(days=1)
    conn.execute(_q("replace_ad_deliveries"), {"first": first, "last": last})
    conn.execute(_q("replace_counted_days"), {"first": first, "last": last})
    if delivered.height:
        impressions = delivered.group_by("tenant_id", "day", "mode", "ad_id").len("impressions")
        conn.execute(_q("insert_ad_delivery"), {column: impressions[column].to_list() for column in (
            "tenant_id", "day", "mode", "ad_id", "impressions")})
    with conn.cursor() as cur:
        cur.executemany(_q("insert_counted_day"),
                        [(t, d, list_version, threshold, rev, n) for t, d, n, rev in days])
