"""Partition windows and run options become the right dbt arguments and Dagster run config."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import dagster as dg

from pipelines.defs.attribution import attribution_dbt_assets, attribution_run_config, dbt_resource
from pipelines.defs.attribution.run_config import attribution_dbt_args, attribution_dbt_vars

DAY = datetime(2026, 11, 24, tzinfo=UTC)
NEXT = datetime(2026, 11, 25, tzinfo=UTC)


def test_a_day_becomes_an_end_exclusive_window():
    assert attribution_dbt_vars(DAY, NEXT) == {"attribution_start_date": "2026-11-24",
                                               "attribution_end_date": "2026-11-25"}


def test_full_refresh_for_every_tenant_drops_and_rebuilds():
    args = attribution_dbt_args(DAY, NEXT, full_refresh=True, run_id="r1")
    assert args[0] == "build" and args[-1] == "--full-refresh"
    assert json.loads(args[2])["attribution_run_id"] == "r1"


def test_full_refresh_for_one_tenant_keeps_the_other_tenants():
    # --full-refresh would drop every tenant's rows; one tenant recomputes all its dates instead.
    args = attribution_dbt_args(DAY, NEXT, full_refresh=True, tenant_id="t-1")
    assert "--full-refresh" not in args
    assert json.loads(args[2]) == {
        "attribution_start_date": "2026-11-24", "attribution_end_date": "2026-11-25",
        "attribution_tenant_id": "t-1", "attribution_all_dates": True}


def test_run_config_targets_the_attribution_op():
    assert attribution_run_config(True, "t-1") == {
        "ops": {"attribution_dbt_assets": {"config": {"full_refresh": True, "tenant_id": "t-1"}}}}


def test_definitions_load_with_raw_events_upstream():
    defs = dg.Definitions(assets=[attribution_dbt_assets], resources={"dbt": dbt_resource()})
    defs.resolve_all_job_defs()
    keys = {key.to_user_string() for key in attribution_dbt_assets.keys}
    assert {"fct_touch_credits", "fct_conversion_paths", "fct_model_comparison"} <= keys
    assert dg.AssetKey("raw_events") in attribution_dbt_assets.dependency_keys
    assert attribution_dbt_assets.backfill_policy == dg.BackfillPolicy.single_run()
    assert attribution_dbt_assets.check_keys
