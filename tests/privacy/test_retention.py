"""Raw-data retention end to end on a real Postgres, real dbt and a real Dagster run: a tenant with 30 months
of events and download logs over 14 months keeps 12 months; the exact rows past the cutoff go from every raw
table, the download counts and the attribution marts, and nothing at or after it changes; a tenant on the
default 25 months loses nothing; a rerun removes nothing; the setting round-trips through the API within
1..120."""

from __future__ import annotations

import csv
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import dagster as dg
import pytest
from dagster_fixtures import dagster_instance  # noqa: F401 (a fixture)

from earmark import db, tenancy
from earmark.attribution import MODELS, dbt_env
from earmark.downloads import counted
from earmark.downloads import ingest as downloads_ingest
from earmark.downloads.reader import COLUMNS as LOG_COLUMNS
from earmark.ingest import ingest_file
from earmark.sqlfiles import load

pytestmark = pytest.mark.slow

RETENTION = 12
MARTS = ("fct_touch_credits", "fct_conversion_paths", "fct_daily_channel_credits", "fct_daily_show_credits")
DOWNLOAD_TABLES = ("downloads.requests", "downloads.request_outcomes", "downloads.downloads",
                   "downloads.ad_deliveries", "downloads.delivered_ads", "downloads.counted_days",
                   "downloads.rejected_requests", "downloads.batches")
RAW_TABLES = ("raw.events", "raw.rejected_events", "raw.ingest_batches")
URL = "https://cdn.example.com/shows/retention.mp3"
UA = "AppleCoreMedia/1.0.0.20G75 (iPhone; U; CPU OS 16_6 like Mac OS X; en_us)"


def months_before(day: date, months: int) -> date:
    """`day` minus whole calendar months, a month end clamped (2026-03-31 minus one month: 2026-02-28)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    next_first = date(year + month // 12, month % 12 + 1, 1)
    return date(year, month, min(day.day, (next_first - date(year, month, 1)).days))


def at(day: date, hour: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour), UTC) + timedelta(seconds=second)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_events(path: Path, rows: list[tuple]) -> Path:
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["event_id", "user_id", "occurred_at", "event_type", "channel", "revenue"])
        writer.writerows(rows)
    return path


def user_events(prefix: str, months: range, today: date) -> list[tuple]:
    """Per month back, one user's touch at 10:00 and conversion at 11:00 that day (one touch per path)."""
    rows = []
    for k in months:
        day = months_before(today, k)
        rows.append((f"{prefix}t{k}", f"{prefix}u{k}", iso(at(day, 10)), "touchpoint",
                     ("podcast", "search")[k % 2], ""))
        rows.append((f"{prefix}c{k}", f"{prefix}u{k}", iso(at(day, 11)), "conversion", "", "25"))
    return rows


BAD_ROW = ("bad", "u", "2025-01-01T00:00:00Z", "bogus", "podcast", "")


def _rows(statement: str, params=None) -> list[tuple]:
    with db.connect("owner") as conn:
        return conn.execute(statement, params).fetchall()


def _backdate_batch(tenant_id, batch_id: str, when: datetime) -> None:
    """A batch loaded long ago: what the calendar does to a batch, done in a moment."""
    with db.connect("owner") as conn, conn.transaction():
        p = {"at": when, "t": tenant_id, "b": batch_id}
        conn.execute("update raw.ingest_batches set started_at = %(at)s, finished_at = %(at)s "
                     "where tenant_id = %(t)s and batch_id = %(b)s", p)
        conn.execute("update raw.rejected_events set rejected_at = %(at)s where tenant_id = %(t)s and "
                     "batch_id = %(b)s", p)


def _counts(tenant_id, cutoff: date) -> dict[str, tuple[int, int]]:
    """Per table: (rows before the cutoff, rows at or after it), as retention dates them."""
    cutoff_at = at(cutoff)
    p = {"t": tenant_id, "c": cutoff, "ca": cutoff_at}
    dated = {
        "raw.events": "occurred_at < %(ca)s",
        "raw.rejected_events": "rejected_at < %(ca)s",
        "raw.ingest_batches": "finished_at < %(ca)s",
        "downloads.requests": "ts < %(ca)s",
        "downloads.request_outcomes": "day < %(c)s",
        "downloads.downloads": "day < %(c)s",
        "downloads.ad_deliveries": "day < %(c)s",
        "downloads.delivered_ads": "day < %(c)s",
        "downloads.counted_days": "day < %(c)s",
        "downloads.rejected_requests": "batch_id in (select batch_id from downloads.batches where "
                                       "tenant_id = %(t)s and (finished_at < %(ca)s or last_day < %(c)s))",
        "downloads.batches": "(finished_at < %(ca)s or last_day < %(c)s)",
        **{f"analytics.{m}": "conversion_date < %(c)s" for m in MARTS},
    }
    out = {}
    for table, old in dated.items():
        out[table] = _rows(f"select count(*) filter (where {old}), count(*) filter (where not ({old})) "  # noqa: S608
                           f"from {table} where tenant_id = %(t)s", p)[0]
    return out


def _mart_rows(tenant_id, cutoff: date) -> dict[str, list[tuple]]:
    """Every mart row at or after the cutoff, whole (in a fixed order: some columns are arrays)."""
    return {m: sorted(_rows(f"select * from analytics.{m} where tenant_id = %s "  # noqa: S608
                            "and conversion_date >= %s", [tenant_id, cutoff]), key=repr) for m in MARTS}


def _add_downloads(tenant_id, tmp: Path, days: list[date]) -> None:
    """One episode with one ad, and a request log with a full download on each day (and one unreadable row),
    loaded and counted over its whole span as the download assets do."""
    with db.connect("owner") as conn, conn.transaction():
        conn.execute("insert into catalog.shows (tenant_id, show_id, title) values (%s, 's1', 'Show')",
                     [tenant_id])
        conn.execute("insert into catalog.episodes (tenant_id, episode_id, show_id, enclosure_url, "
                     "bytes_total, duration_s, id3_bytes) values (%s, 'e1', 's1', %s, 1000000, 600, 0)",
                     [tenant_id, URL])
        conn.execute("insert into catalog.ad_slots (tenant_id, ad_id, episode_id, kind, start_byte, "
                     "end_byte) values (%s, 'a1', 'e1', 'dai', 0, 999)", [tenant_id])
    path = tmp / "requests.csv"
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=LOG_COLUMNS)
        writer.writeheader()
        for n, day in enumerate(days):
            writer.writerow({"request_id": f"r{n}", "ts": f"{day.isoformat()}T12:00:00.000Z", "method": "GET",
                             "ip": f"198.51.100.{n + 1}", "user_agent": UA, "referer": "", "url": URL,
                             "range": "", "status": "200", "bytes_sent": "1000000"})
        writer.writerow({"request_id": "x", "ts": "yesterday", "method": "GET", "ip": "198.51.100.99",
                         "user_agent": UA, "referer": "", "url": URL, "range": "", "status": "200",
                         "bytes_sent": "1000000"})
    loaded = downloads_ingest.ingest_file(tenant_id, path)
    assert (loaded.loaded, loaded.rejected) == (len(days), 1)
    # the whole span, as the recount sensor would: no day of the log is left uncounted for other tests
    counted.count_days(min(days), max(days))


def _materialize(tenant_ids: list[str]) -> dg.ExecuteInProcessResult:
    from pipelines.defs.privacy import raw_retention
    from pipelines.resources import EarmarkDatabase
    from pipelines.runner import QUIET

    return dg.materialize([raw_retention], instance=dg.DagsterInstance.get(),
                          resources={"database": EarmarkDatabase()},
                          run_config={"ops": {"raw_retention": {"config": {"tenant_ids": tenant_ids}}},
                                      **QUIET})


def _metadata(result: dg.ExecuteInProcessResult) -> dict:
    found = result.asset_materializations_for_node("raw_retention")[0].metadata
    return {k: getattr(v, "value", v) for k, v in found.items()}


@pytest.fixture(scope="module")
def case(database, dagster_instance, tmp_path_factory):  # noqa: F811
    today = datetime.now(UTC).date()
    cutoff = months_before(today, RETENTION)
    tmp = tmp_path_factory.mktemp("retention")
    with db.connect("owner") as conn:
        short = tenancy.create_tenant(conn, f"retention-short-{uuid.uuid4().hex[:8]}")
        default = tenancy.create_tenant(conn, f"retention-default-{uuid.uuid4().hex[:8]}")
        conn.execute("update app.tenant_settings set raw_retention_months = %s where tenant_id = %s",
                     [RETENTION, short.id])

    # The short tenant: users 1..29 months back (13..29 are older than the cutoff; none today, whose 11:00 may
    # be ahead), a touch one second before the cutoff and a conversion on it; the older file was loaded 20
    # months ago.
    old = user_events("", range(RETENTION + 1, 30), today) + [
        ("edge-t", "edge", iso(at(cutoff, second=-1)), "touchpoint", "podcast", "")]
    new = user_events("", range(1, RETENTION + 1), today) + [
        ("edge-c", "edge", iso(at(cutoff)), "conversion", "", "40")]
    old_batch = ingest_file(short.id, write_events(tmp / "old.csv", [*old, BAD_ROW]))
    new_batch = ingest_file(short.id, write_events(tmp / "new.csv", [*new, BAD_ROW]))
    assert (old_batch.loaded, old_batch.rejected, new_batch.loaded, new_batch.rejected) == (35, 1, 25, 1)
    _backdate_batch(short.id, old_batch.batch_id, at(months_before(today, 20)))
    # Download logs 14 and 13 months back (before the cutoff) and one month back.
    _add_downloads(short.id, tmp, [months_before(today, k) for k in (14, 13, 1)])

    # The default tenant: users 1..24 months back, older than 12 but within 25; its file also loaded 20 months
    # ago.
    kept = ingest_file(default.id, write_events(tmp / "default.csv", [*user_events("d", range(1, 25), today),
                                                                      BAD_ROW]))
    assert (kept.loaded, kept.rejected) == (48, 1)
    _backdate_batch(default.id, kept.batch_id, at(months_before(today, 20)))

    built = dbt_env.run_dbt("build", "--exclude-resource-type", "unit_test",
                            dbt_vars={"attribution_all_dates": True})
    assert built.returncode == 0, built.stdout[-4000:]
    return {"today": today, "cutoff": cutoff, "short": str(short.id), "default": str(default.id)}


def test_retention_removes_exactly_what_is_past_the_cutoff(case, database):
    short, default, cutoff = case["short"], case["default"], case["cutoff"]
    default_cutoff = months_before(case["today"], 25)
    before = _counts(short, cutoff)
    kept_marts = _mart_rows(short, cutoff)
    default_before = _counts(default, default_cutoff)
    default_marts = _mart_rows(default, date(1970, 1, 1))

    # What the scenario holds before the cutoff, worked out by hand.
    conversions_before = RETENTION + 1, 30  # users 13..29 months back, one touch each
    n_old = conversions_before[1] - conversions_before[0]
    assert n_old == 17
    assert before["raw.events"] == (2 * n_old + 1, 2 * RETENTION + 1)  # + the edge touch / conversion
    assert before["raw.ingest_batches"] == (1, 1) and before["raw.rejected_events"] == (1, 1)
    # 12 users kept and the edge conversion, on 12 days (the cutoff's day holds two conversions)
    assert before["analytics.fct_touch_credits"] == (n_old, RETENTION + 1)
    assert before["analytics.fct_conversion_paths"] == (n_old, RETENTION + 1)
    assert before["analytics.fct_daily_channel_credits"] == (n_old * len(MODELS), RETENTION * len(MODELS))
    assert before["analytics.fct_daily_show_credits"] == (n_old * len(MODELS), RETENTION * len(MODELS))
    assert before["downloads.requests"] == (2, 1)
    assert before["downloads.request_outcomes"] == (2, 1)
    assert before["downloads.downloads"] == (4, 2)  # fixed and rolling
    assert before["downloads.ad_deliveries"] == (4, 2)
    assert before["downloads.delivered_ads"] == (4, 2)  # each download delivered the one ad
    first_log_day, last_log_day = months_before(case["today"], 14), months_before(case["today"], 1)
    # every day of the log's span is counted, quiet days with 0 requests
    assert before["downloads.counted_days"] == ((cutoff - first_log_day).days,
                                                (last_log_day - cutoff).days + 1)
    assert before["downloads.batches"] == (0, 1) and before["downloads.rejected_requests"] == (0, 1)
    assert default_before["raw.events"] == (0, 48)
    assert sum(n for n, _ in default_before.values()) == 0

    done = _materialize([short, default])
    assert done.success
    expected = {table: old for table, (old, _) in before.items()}
    removed = _metadata(done)
    assert removed["tenants"] == 2
    assert removed["rows_removed"] == sum(expected.values())
    for table, n in expected.items():
        assert removed[f"removed {table}"] == n, table
    assert removed["removed_by_tenant"] == {short: expected, default: dict.fromkeys(expected, 0)}
    assert removed["cutoff_by_tenant"] == {short: cutoff.isoformat(), default: default_cutoff.isoformat()}

    # Nothing before the cutoff is left; everything at or after it is as it was, row for row.
    after = _counts(short, cutoff)
    assert after == {table: (0, kept) for table, (_, kept) in before.items()}
    assert _mart_rows(short, cutoff) == kept_marts
    assert _rows("select event_id from raw.events where tenant_id = %s and event_id like 'edge%%'",
                 [short]) == [("edge-c",)]
    # The default tenant's 25 months cover all it has: untouched.
    assert _counts(default, default_cutoff) == default_before
    assert _mart_rows(default, date(1970, 1, 1)) == default_marts

    # One audit entry, in the tenant's own chain, for the tenant that lost rows.
    entries = _rows("select actor, action, target, changes from app.audit_log where tenant_id = %s "
                    "and action = 'retention_applied'", [short])
    assert entries == [("system", "retention_applied", "raw",
                        {"cutoff": cutoff.isoformat(), "retention_months": RETENTION,
                         "removed": {t: n for t, n in expected.items() if n}})]
    assert _rows("select count(*) from app.audit_log where tenant_id = %s", [default]) == [(0,)]
    # The ingest checks still balance: a batch went with its whole quarantine.
    for check in ("pipelines.defs.ingest", "pipelines.defs.downloads"):
        assert _rows(load(check, "unbalanced_batches")) == [(0,)], check

    # A rerun finds nothing more to remove and writes no audit entry.
    again = _metadata(_materialize([short, default]))
    assert again["rows_removed"] == 0
    nothing = dict.fromkeys(expected, 0)
    assert again["removed_by_tenant"] == {short: nothing, default: nothing}
    assert _counts(short, cutoff) == after
    assert _rows("select count(*) from app.audit_log where tenant_id = %s and action = 'retention_applied'",
                 [short]) == [(1,)]


def test_the_retention_setting_round_trips_through_the_api(client, make_tenant, make_key):
    caller = make_key(make_tenant(), ["attribution:read", "settings:write"])
    assert client.get("/api/v1/settings", headers=caller.headers).json()["raw_retention_months"] == 25
    for months in (1, 120, 12):
        patched = client.patch("/api/v1/settings", json={"raw_retention_months": months},
                               headers=caller.headers)
        assert patched.status_code == 200 and patched.json()["raw_retention_months"] == months
    assert client.get("/api/v1/settings", headers=caller.headers).json()["raw_retention_months"] == 12
    for bad in (0, 121, -1, "twelve", 12.5):
        refused = client.patch("/api/v1/settings", json={"raw_retention_months": bad}, headers=caller.headers)
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["status"] == 422
    assert client.get("/api/v1/settings", headers=caller.headers).json()["raw_retention_months"] == 12
    with db.connect("owner") as conn:
        assert tenancy.get_settings(conn, caller.tenant.id).raw_retention_months == 12
