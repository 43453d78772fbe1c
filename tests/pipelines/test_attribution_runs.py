"""Attribution through Dagster: a partition rerun changes nothing, and dbt's tables keep RLS."""

import dagster as dg
from attribution_events import EVENTS, daily_credits

from earmark import db
from earmark.cost.steps import ROWS_BY_TENANT
from isolation_catalog import isolation_violations
from pipelines import runner


def run_count(tenant_id) -> int:
    with db.connect("transformer") as conn:
        return conn.execute("select count(*) from analytics.fct_attribution_runs where tenant_id = %s",
                            [tenant_id]).fetchone()[0]


def test_partition_rerun_and_full_refresh_change_nothing_and_tables_keep_rls(make_tenant, tmp_path,
                                                                           dagster_instance):
    tenant = make_tenant()
    path = tmp_path / "events.csv"
    path.write_text(EVENTS)
    assert runner.ingest(str(tenant.id), [str(path)]).success

    first = runner.attribute("2026-03-01", "2026-03-01")
    assert first.success, first.error
    credits = daily_credits(tenant.id)
    by_model = {}
    for model, channel, _campaign, conversions, revenue in credits:
        by_model.setdefault(model, {})[channel] = (float(conversions), float(revenue))
    assert by_model["first_touch"] == {"podcast": (1.0, 100.0), "search": (0.0, 0.0), "(none)": (1.0, 50.0)}
    assert by_model["last_touch"] == {"podcast": (0.0, 0.0), "search": (1.0, 100.0), "(none)": (1.0, 50.0)}
    assert by_model["linear"] == {"podcast": (0.5, 50.0), "search": (0.5, 50.0), "(none)": (1.0, 50.0)}
    # the cost ledger splits the step by what it processed per tenant, reported as an observation
    records = dagster_instance.get_records_for_run(first.run_id,
                                                   of_type=dg.DagsterEventType.ASSET_OBSERVATION)
    observations = [r.event_log_entry.dagster_event.event_specific_data.asset_observation.metadata
                    for r in records.records]
    (observed,) = [metadata for metadata in observations if ROWS_BY_TENANT in metadata]
    with db.connect("transformer") as conn:
        processed = conn.execute(
            "select conversions + touches_credited from analytics.fct_attribution_runs "
            "where run_id = %s and tenant_id = %s", [first.run_id, tenant.id]).fetchone()[0]
    assert processed > 0 and observed[ROWS_BY_TENANT].value[str(tenant.id)] == processed

    second = runner.attribute("2026-03-01", "2026-03-01")
    assert second.success, second.error
    assert daily_credits(tenant.id) == credits
    assert run_count(tenant.id) == 2  # the run log keeps history; the marts do not double

    # --full-refresh drops and recreates every model: results stay, and so must RLS (post-hook).
    rebuilt = runner.attribute("2026-03-01", "2026-03-01", full_refresh=True)
    assert rebuilt.success, rebuilt.error
    assert daily_credits(tenant.id) == credits

    with db.connect("owner") as conn:
        violations = isolation_violations(conn)
        analytics_tables = conn.execute(
            "select count(*) from pg_tables where schemaname like 'analytics%%'").fetchone()[0]
    assert analytics_tables >= 5
    assert violations == {label: [] for label in violations}


def test_a_ranged_run_marks_each_day_and_records_its_run_id_and_leaves_no_target_folder(
        make_tenant, tmp_path, dagster_instance):
    """A run over a range writes its events in batches and plans each asset's range in one event
    (earmark.orchestration): every day of the range still shows as materialized, the run id still
    reaches the run log (now through the environment, not --vars), and nothing of it is left in
    dbt_project/target."""
    import dagster as dg

    from earmark.attribution.dbt_env import DBT_PROJECT_DIR

    tenant = make_tenant()
    path = tmp_path / "events.csv"
    path.write_text(EVENTS)
    assert runner.ingest(str(tenant.id), [str(path)]).success
    done = runner.attribute("2026-02-20", "2026-03-01")
    assert done.success, done.error
    days = dagster_instance.get_materialized_partitions(dg.AssetKey("fct_daily_show_credits"))
    assert {f"2026-02-{d}" for d in range(20, 29)} | {"2026-03-01"} <= days
    planned = dagster_instance.all_logs(done.run_id,
                                        of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED)
    assert len(planned) == len({e.dagster_event.asset_key for e in planned})  # one per asset, not per day
    with db.connect("transformer") as conn:
        recorded = conn.execute("select run_id from analytics.fct_attribution_runs where tenant_id = %s "
                                "order by computed_at desc limit 1", [tenant.id]).fetchone()[0]
    assert recorded == done.run_id
    # dagster-dbt names a run's folder <op>-<first 7 of the run id>-<random>; another test worker's run may
    # hold its own folder in the same target directory at this moment, so only this run's is looked for
    assert not list((DBT_PROJECT_DIR / "target").glob(f"attribution_dbt_assets-{done.run_id[:7]}-*"))
