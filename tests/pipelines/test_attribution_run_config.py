"""Partition windows and run options become the right dbt arguments and Dagster run config."""

from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg

from pipelines.defs.attribution import attribution_dbt_assets, attribution_run_config, dbt_resource
from pipelines.defs.attribution.run_config import (
    attribution_dbt_args,
    attribution_dbt_env,
    attribution_dbt_vars,
)

DAY = datetime(2026, 11, 24, tzinfo=UTC)
NEXT = datetime(2026, 11, 25, tzinfo=UTC)


def test_a_day_becomes_an_end_exclusive_window():
    assert attribution_dbt_vars(DAY, NEXT) == {"attribution_start_date": "2026-11-24",
                                               "attribution_end_date": "2026-11-25"}


def test_full_refresh_for_every_tenant_drops_and_rebuilds():
    assert attribution_dbt_args(full_refresh=True) == [
        "build", "--exclude-resource-type", "unit_test", "--full-refresh"]
    options = attribution_dbt_vars(DAY, NEXT, full_refresh=True, run_id="r1")
    # Every option is set, empty when unused, so none is left over from an earlier run in the process.
    assert attribution_dbt_env(options) == {
        "EARMARK_ATTRIBUTION_START_DATE": "2026-11-24", "EARMARK_ATTRIBUTION_END_DATE": "2026-11-25",
        "EARMARK_ATTRIBUTION_TENANT_ID": "", "EARMARK_ATTRIBUTION_ALL_DATES": "",
        "EARMARK_ATTRIBUTION_RUN_ID": "r1", "EARMARK_ATTRIBUTION_DATES": ""}


def test_full_refresh_for_one_tenant_keeps_the_other_tenants():
    # --full-refresh would drop every tenant's rows; one tenant recomputes all its dates instead.
    assert "--full-refresh" not in attribution_dbt_args(full_refresh=True, tenant_id="t-1")
    assert attribution_dbt_vars(DAY, NEXT, full_refresh=True, tenant_id="t-1") == {
        "attribution_start_date": "2026-11-24", "attribution_end_date": "2026-11-25",
        "attribution_tenant_id": "t-1", "attribution_all_dates": True}
    assert attribution_dbt_env(attribution_dbt_vars(DAY, NEXT, full_refresh=True, tenant_id="t-1"))[
        "EARMARK_ATTRIBUTION_ALL_DATES"] == "true"


def test_run_config_targets_the_attribution_op():
    assert attribution_run_config(True, "t-1") == {
        "ops": {"attribution_dbt_assets": {"config": {"full_refresh": True, "tenant_id": "t-1",
                                                      "recompute_window": True}}}}


def test_a_window_that_is_not_recomputed_reaches_dbt_as_no_window():
    # `earmark run`: the days are materialized, dbt recomputes only what changed since each tenant's last run.
    options = attribution_dbt_vars(DAY, NEXT, run_id="r2", recompute_window=False)
    assert options == {"attribution_run_id": "r2"}
    env = attribution_dbt_env(options)
    assert env["EARMARK_ATTRIBUTION_START_DATE"] == "" and env["EARMARK_ATTRIBUTION_END_DATE"] == ""


def test_definitions_load_with_raw_events_upstream():
    defs = dg.Definitions(assets=[attribution_dbt_assets], resources={"dbt": dbt_resource()})
    defs.resolve_all_job_defs()
    keys = {key.to_user_string() for key in attribution_dbt_assets.keys}
    assert {"fct_touch_credits", "fct_conversion_paths", "fct_model_comparison"} <= keys
    assert dg.AssetKey("raw_events") in attribution_dbt_assets.dependency_keys
    assert attribution_dbt_assets.backfill_policy == dg.BackfillPolicy.single_run()
    assert attribution_dbt_assets.check_keys
