"""`earmark run` re-attributes only the days that can have changed since the last run, and the figures are
those of a full recompute."""

from datetime import UTC, datetime

from attribution_events import EVENTS, daily_credits

from earmark import db
from pipelines import runner
from pipelines.operations import run_pipeline

# Loaded after the first run: a touch of u2's, days before u2's conversion.
LATE = (
    "event_id,user_id,occurred_at,event_type,channel,campaign_id,revenue\n"
    "t3,u2,2026-02-25T09:00:00Z,touchpoint,email,cmp-e,\n"
)


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def latest_run(instance, day: str) -> str:
    """The run that holds the day's latest materialization of the engine (what the UI shows)."""
    import dagster as dg

    found = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey("fct_touch_credits"), asset_partitions=[day]), limit=1)
    return found.records[0].run_id


def test_a_run_starts_at_the_first_changed_day_and_matches_a_full_recompute(make_tenant, tmp_path,
                                                                              dagster_instance):
    tenant = make_tenant()
    tid = str(tenant.id)
    (tmp_path / "events.csv").write_text(EVENTS)
    (tmp_path / "late.csv").write_text(LATE)
    assert runner.ingest(tid, [str(tmp_path / "events.csv")]).success

    first = run_pipeline(tenant_id=tid)
    assert first.attributed == ("2026-02-20", today())  # never attributed: every day since the first event
    first_credits = daily_credits(tid)

    # Nothing new: only today's partition (the last run's day) is materialized again, figures unchanged.
    idle = run_pipeline(tenant_id=tid)
    assert idle.attributed == (today(), today())
    assert daily_credits(tid) == first_credits

    assert runner.ingest(tid, [str(tmp_path / "late.csv")]).success
    late = run_pipeline(tenant_id=tid)
    assert late.attributed == ("2026-02-25", today())
    assert late.model_seconds["fct_touch_credits"] > 0 and late.dbt_seconds > 0
    after_late = daily_credits(tid)
    linear = {channel: conversions for model, channel, _, conversions, _ in after_late if model == "linear"}
    assert linear == {"email": 1, "podcast": 0.5, "search": 0.5}  # c2's path is the late touch now
    # In Dagster the days before the late touch keep the first run's materialization, the rest the late run's.
    assert latest_run(dagster_instance, "2026-02-24") == first.attribution_run_id
    assert latest_run(dagster_instance, "2026-02-25") == late.attribution_run_id
    assert latest_run(dagster_instance, "2026-03-01") == late.attribution_run_id

    # A settings change can move every day: the next run starts from the first event again.
    with db.connect("owner") as conn:
        conn.execute("update app.tenant_settings set lookback_days = 20, updated_at = now() "
                     "where tenant_id = %s", [tid])
    changed = run_pipeline(tenant_id=tid)
    assert changed.attributed == ("2026-02-20", today())
    assert daily_credits(tid) == after_late  # lookback 20 days still reaches every touch here
    assert latest_run(dagster_instance, "2026-02-24") == changed.attribution_run_id

    refreshed = runner.attribute("2026-02-20", today(), full_refresh=True, tenant_id=tid)
    assert refreshed.success, refreshed.error
    assert daily_credits(tid) == after_late
