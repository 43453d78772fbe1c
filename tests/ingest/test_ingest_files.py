"""Whole-file failures: nothing loads, one sentence says why, and the data is as it was."""

import pytest

from earmark import db
from earmark.ingest import IngestFileError, ingest_file

GOOD = "event_id,user_id,occurred_at,event_type,channel\nt1,u1,2026-03-01T10:00:00Z,touchpoint,podcast\n"


def counts(tenant_id):
    with db.connect("transformer") as conn:
        return conn.execute(
            "select (select count(*) from raw.events where tenant_id = %(t)s), "
            "(select count(*) from raw.ingest_batches where tenant_id = %(t)s and status = 'succeeded')",
            {"t": tenant_id},
        ).fetchone()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("latin1.csv",
         GOOD.encode() + "t2,j\xf6rg,2026-03-01T10:00:00Z,touchpoint,podcast\n".encode("latin-1"),
         "latin1.csv is not valid UTF-8 (bad byte at offset 98); re-export it as UTF-8."),
        ("nocols.csv", b"event_id,user_id\nt1,u1\n",
         "nocols.csv lacks the required columns occurred_at, event_type, channel; "
         "the header has event_id, user_id."),
        ("events.xlsx", b"PK\x03\x04", "events.xlsx has no known format; name it .csv, .parquet or "
         ".jsonl (JSON Lines)."),
        ("broken.parquet", b"not parquet at all",
         "broken.parquet is not a readable Parquet file; check how it was written."),
        ("empty.csv", b"", "empty.csv is empty; a CSV needs a header line and rows."),
    ],
)
def test_unreadable_file_loads_nothing(tmp_path, make_tenant, name, content, message):
    tenant = make_tenant()
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(IngestFileError) as caught:
        ingest_file(tenant.id, path)
    assert str(caught.value) == message
    assert counts(tenant.id) == (0, 0)


def test_quota_breach_rolls_back_the_whole_file(tmp_path, make_tenant):
    tenant = make_tenant(tier="free")
    with db.connect("owner") as conn:
        conn.execute(
            "insert into app.tenant_usage (tenant_id, period_start, events_ingested) "
            "values (%s, date_trunc('month', now() at time zone 'UTC')::date, 99999)", [tenant.id])
        conn.commit()
    path = tmp_path / "two.csv"
    path.write_text(GOOD + "t2,u1,2026-03-01T11:00:00Z,touchpoint,podcast\n")
    with pytest.raises(IngestFileError, match=r"would exceed tenant .*monthly quota \(99,999 of 100,000"):
        ingest_file(tenant.id, path)
    assert counts(tenant.id) == (0, 0)
