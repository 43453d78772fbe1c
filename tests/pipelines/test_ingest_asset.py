"""`raw_events` materialised through Dagster: landing files move on, reruns change nothing."""

import dagster as dg

from earmark import db
from pipelines import runner

EVENTS = (
    "event_id,user_id,occurred_at,event_type,channel,campaign_id,revenue\n"
    "t1,u1,2026-03-01T10:00:00Z,touchpoint,podcast,cmp-a,\n"
    "t2,u1,2026-03-01T11:00:00Z,touchpoint,search,,\n"
    "c1,u1,2026-03-01T12:00:00Z,conversion,,,20\n"
    "bad,u1,not-a-time,touchpoint,podcast,,\n"
)


def event_count(tenant_id) -> int:
    with db.connect("transformer") as conn:
        return conn.execute("select count(*) from raw.events where tenant_id = %s", [tenant_id]).fetchone()[0]


def test_landing_file_is_ingested_once_and_moved(landing, dagster_instance):
    tenant, folder = landing
    (folder / "day1.csv").write_text(EVENTS)

    first = runner.ingest(str(tenant.id), [])
    assert first.success
    assert {k: first.metadata[k] for k in ("files", "rows", "loaded", "duplicates", "rejected")} == {
        "files": 1, "rows": 4, "loaded": 3, "duplicates": 0, "rejected": 1}
    assert not (folder / "day1.csv").exists()
    assert [p.name.endswith("-day1.csv") for p in (folder / "processed").iterdir()] == [True]

    second = runner.ingest(str(tenant.id), [])  # nothing waiting: a clean no-op run
    assert second.success and second.metadata["files"] == 0
    (folder / "again.csv").write_text(EVENTS)
    third = runner.ingest(str(tenant.id), [])
    assert (third.metadata["loaded"], third.metadata["duplicates"], third.metadata["rejected"]) == (0, 3, 1)
    assert event_count(tenant.id) == 3
    run = dagster_instance.get_run_by_id(third.run_id)
    assert run.status == dg.DagsterRunStatus.SUCCESS  # recorded in the Postgres-backed instance


def test_unreadable_landing_file_fails_the_run_and_moves_to_failed(landing, dagster_instance):
    tenant, folder = landing
    (folder / "broken.csv").write_bytes(b"event_id,user_id\n\xff\xfe\n")
    result = runner.ingest(str(tenant.id), [])
    assert not result.success
    assert result.error == "broken.csv is not valid UTF-8 (bad byte at offset 17); re-export it as UTF-8."
    failed = sorted(p.name for p in (folder / "failed").iterdir())
    assert len(failed) == 2 and failed[0].endswith("-broken.csv") and failed[1].endswith(".error.txt")
    assert event_count(tenant.id) == 0
