"""Row-level rules: every row is loaded, a duplicate, or quarantined with its row number and reason."""

from datetime import UTC, datetime

import polars as pl
import pytest

from earmark import db
from earmark.ingest import ingest_file

HEADER = "event_id,user_id,occurred_at,event_type,channel,campaign_id,revenue,source,currency"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_mixed_file_accounts_for_every_row(tmp_path, make_tenant, events_of, quarantine_of):
    tenant = make_tenant()
    long_value = "x" * 1001
    path = write(tmp_path, "mixed.csv", "\n".join([
        HEADER,
        "t1,u1,2026-03-01T10:00:00Z,touchpoint,podcast,cmp-a,,podcast_impression,",   # 1 ok
        "c1,u1,2026-03-02T10:00:00+02:00,conversion,,,49.90,checkout,usd",            # 2 ok
        "t2,u1,2026-02-30T10:00:00Z,touchpoint,podcast,cmp-a,,,",                     # 3 impossible date
        "t3,u1,yesterday,touchpoint,podcast,cmp-a,,,",                                # 4 unparseable
        "t4,u1,2026-03-01T10:00:00Z,click,podcast,cmp-a,,,",                          # 5 unknown type
        "t5,u1,2026-03-01T10:00:00Z,touchpoint,,cmp-a,,,",                            # 6 no channel
        "c2,u1,2026-03-01T10:00:00Z,conversion,,,-5,,",                               # 7 negative
        "c3,u1,2026-03-01T10:00:00Z,conversion,,,NaN,,",                              # 8 not finite
        "c4,u1,2026-03-01T10:00:00Z,conversion,,,12,00,,",                            # 9 extra field
        f"t6,{long_value},2026-03-01T10:00:00Z,touchpoint,podcast,,,,",               # 10 too long
        ",u1,2026-03-01T10:00:00Z,touchpoint,podcast,,,,",                            # 11 no event_id
        "t1,u1,2026-03-05T10:00:00Z,touchpoint,search,,,,",                           # 12 duplicate of 1
        "c5,u2,2026-03-03T10:00:00Z,conversion,,,,,",                                 # 13 ok, revenue 0
        "c6,u2,2026-03-03T10:00:00Z,conversion,,,abc,,",                              # 14 bad revenue
    ]) + "\n")

    result = ingest_file(tenant.id, path)

    assert (result.rows, result.loaded, result.duplicates, result.rejected) == (14, 3, 1, 10)
    assert result.rows == result.loaded + result.duplicates + result.rejected
    events = events_of(tenant.id)
    assert sorted(events) == ["c1", "c5", "t1"]
    assert events["t1"]["channel"] == "podcast"  # the first occurrence wins, not the later duplicate
    assert events["c1"]["occurred_at"] == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert events["c1"]["revenue"] == pytest.approx(49.90)
    assert events["c1"]["currency"] == "USD"
    assert events["c5"]["revenue"] == 0.0
    reasons = dict(quarantine_of(tenant.id))
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 14]
    assert reasons[3] == "occurred_at 2026-02-30T10:00:00Z is not a valid ISO-8601 time"
    assert reasons[5] == "unknown event_type click; use touchpoint or conversion"
    assert reasons[6] == "touchpoint without channel"
    assert reasons[7] == "revenue is negative"
    assert reasons[8] == "revenue is not a finite number"
    assert reasons[9] == "expected 9 fields, found 10"
    assert reasons[10] == "a field is longer than 1000 characters"
    assert reasons[11] == "missing event_id"
    assert reasons[14] == "revenue abc is not a number"


def test_reingesting_a_file_loads_nothing_new(tmp_path, make_tenant, events_of):
    tenant = make_tenant()
    path = write(tmp_path, "e.csv", f"{HEADER}\n"
                 "t1,u1,2026-03-01T10:00:00Z,touchpoint,podcast,cmp-a,,,\n"
                 "c1,u1,2026-03-02T10:00:00Z,conversion,,,10,,\n")
    first = ingest_file(tenant.id, path)
    before = events_of(tenant.id)
    second = ingest_file(tenant.id, path)
    assert (first.loaded, first.duplicates) == (2, 0)
    assert (second.rows, second.loaded, second.duplicates, second.rejected) == (2, 0, 2, 0)
    assert events_of(tenant.id) == before


def test_time_without_offset_is_read_in_the_tenants_time_zone(tmp_path, make_tenant, events_of,
                                                              quarantine_of):
    tenant = make_tenant()
    with db.connect("owner") as conn:
        conn.execute("update app.tenant_settings set time_zone = 'America/New_York' where tenant_id = %s",
                     [tenant.id])
        conn.commit()
    path = write(tmp_path, "tz.csv", f"{HEADER}\n"
                 "t1,u1,2026-07-01 09:30,touchpoint,podcast,,,,\n"          # EDT, UTC-4
                 "t2,u1,2026-01-15T09:30:00.25,touchpoint,podcast,,,,\n"    # EST, UTC-5
                 "t3,u1,2026-03-08T02:30:00,touchpoint,podcast,,,,\n")      # skipped by DST
    result = ingest_file(tenant.id, path)
    events = events_of(tenant.id)
    assert result.loaded == 2
    assert events["t1"]["occurred_at"] == datetime(2026, 7, 1, 13, 30, tzinfo=UTC)
    assert events["t2"]["occurred_at"] == datetime(2026, 1, 15, 14, 30, 0, 250000, tzinfo=UTC)
    assert quarantine_of(tenant.id) == [(3, "occurred_at 2026-03-08T02:30:00 is not a valid ISO-8601 time")]


def test_wrong_tenant_rows_are_rejected(tmp_path, make_tenant, events_of, quarantine_of):
    tenant, other = make_tenant(), make_tenant()
    path = write(tmp_path, "t.csv", "event_id,user_id,occurred_at,event_type,channel,tenant_id\n"
                 f"t1,u1,2026-03-01T10:00:00Z,touchpoint,podcast,{tenant.id}\n"
                 f"t2,u1,2026-03-01T10:00:00Z,touchpoint,podcast,{other.id}\n")
    result = ingest_file(tenant.id, path)
    assert (result.loaded, result.rejected) == (1, 1)
    assert quarantine_of(tenant.id) == [(2, "tenant_id does not match the target tenant")]
    assert events_of(other.id) == {}


def test_quoted_csv_with_commas_and_crlf(tmp_path, make_tenant, events_of):
    tenant = make_tenant()
    path = tmp_path / "q.csv"
    path.write_bytes(
        b'"event_id","user_id","occurred_at","event_type","channel","campaign_id","revenue"\r\n'
        b'"t1","u1","2026-03-01T10:00:00Z","touchpoint","podcast","Show, the ""best""",""\r\n'
        b'"c1","u1","2026-03-01T11:00:00Z","conversion","","","7.5"\r\n'
    )
    result = ingest_file(tenant.id, path)
    assert (result.rows, result.loaded) == (2, 2)
    assert events_of(tenant.id)["t1"]["campaign_id"] == 'Show, the "best"'


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_parquet_and_json_lines_load_like_csv(tmp_path, make_tenant, events_of, fmt):
    tenant = make_tenant()
    frame = pl.DataFrame({
        "event_id": ["t1", "c1", "c2"],
        "user_id": ["u1", "u1", "u1"],
        "occurred_at": ["2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z", "not a time"],
        "event_type": ["touchpoint", "conversion", "conversion"],
        "channel": ["podcast", None, None],
        "revenue": [None, 12.5, 1.0],
    })
    path = tmp_path / f"events.{fmt}"
    frame.write_parquet(path) if fmt == "parquet" else frame.write_ndjson(path)
    result = ingest_file(tenant.id, path)
    assert (result.rows, result.loaded, result.rejected) == (3, 2, 1)
    assert events_of(tenant.id)["c1"]["revenue"] == 12.5


def test_json_lines_bad_line_is_quarantined(tmp_path, make_tenant, quarantine_of):
    tenant = make_tenant()
    path = write(tmp_path, "e.jsonl",
                 '{"event_id":"t1","user_id":"u1","occurred_at":"2026-03-01T10:00:00Z",'
                 '"event_type":"touchpoint","channel":"podcast"}\n'
                 '{"event_id": broken\n')
    result = ingest_file(tenant.id, path)
    assert (result.rows, result.loaded, result.rejected) == (2, 1, 1)
    assert quarantine_of(tenant.id)[0][0] == 2
    assert quarantine_of(tenant.id)[0][1].startswith("not valid JSON")
