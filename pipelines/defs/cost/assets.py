"""The cost domain in Dagster: `cost_usage` (the ledger, measured), the cost marts (dbt) and the
`budget_alerts` check after each allocation, in `cost_job`, nightly after attribution."""

import os
import shutil
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from earmark import db
from earmark.attribution.dbt_env import dbt_environment
from earmark.cost import budgets, ledger, llm, measured, price_book, steps
from earmark.errors import EarmarkError
from earmark.sqlfiles import load
from pipelines.defs.attribution.assets import COST_MODELS
from pipelines.defs.attribution.project import attribution_project, manifest_path
from pipelines.defs.cost.collect import finished_runs, step_attempts

COST_GROUP = "cost"


def _q(name: str) -> str:
    return load("pipelines.defs.cost", name)


@dg.asset(
    key="cost_usage",
    group_name=COST_GROUP,
    kinds={"python", "postgres"},
    description="The usage ledger: Dagster step time and rows per tenant (from Dagster's own step events), "
                "storage per tenant and table, read-API requests and LLM tokens, each measured once "
                "(idempotent on source and source event id).",
)
def cost_usage(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    today = datetime.now(UTC).date()
    # The owner sees every tenant's rows (storage shares, AI calls, the API counter); no tenant reaches it.
    with db.connect("owner") as conn:
        price_book.ensure_default(conn)
        known = {row[0] for row in conn.execute(_q("tenant_ids"))}
        since = conn.execute(_q("last_collection")).fetchone()[0]
        collected = {row[0] for row in conn.execute(_q("collected_run_ids"))}
        runs = [run for run in finished_runs(context.instance, since) if run.run_id not in collected]
        events = [event for run in runs for attempt in step_attempts(context.instance, run)
                  for event in steps.usage_events(attempt, known)]
        events += measured.storage_events(conn, today)
        events += measured.api_request_events(conn, today)
        try:
            events += llm.call_events(conn)  # refuses, naming it, a model without a price
        except EarmarkError as exc:
            raise dg.Failure(description=str(exc)) from None
        with conn.transaction():
            new = ledger.record(conn, events)
            with conn.cursor() as cur:
                cur.executemany(_q("collected_run_insert"), [{"run_id": run.run_id} for run in runs])
    by_source = Counter(event.source for event in events)
    context.log.info(f"{new} new usage rows from {len(runs)} finished run(s) and today's measurements")
    return dg.MaterializeResult(metadata={"new_rows": new, "runs_read": len(runs),
                                          **{f"rows_{k}": v for k, v in sorted(by_source.items())}})


class CostTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return COST_GROUP


@dbt_assets(manifest=manifest_path(), project=attribution_project, name="cost_dbt_assets", select=COST_MODELS,
            dagster_dbt_translator=CostTranslator())
def cost_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """The cost marts, rebuilt whole (they are small); their data tests check every day adds up to the
    cent."""
    os.environ.update(dbt_environment())
    invocation = dbt.cli(["build", "--exclude-resource-type", "unit_test"], context=context)
    yield from invocation.stream()
    shutil.rmtree(Path(invocation.target_path), ignore_errors=True)


@dg.asset_check(asset=dg.AssetKey("fct_daily_costs"), name="budget_alerts",
                description="Fires each tenant's budget alerts reached this month (50 %, 80 %, 100 % and the "
                            "month-end forecast by default), once per threshold and month; passes while no "
                            "tenant is at or past its budget.")
def budget_alerts() -> dg.AssetCheckResult:
    today = datetime.now(UTC).date()
    with db.connect("owner") as conn:
        fired = budgets.evaluate(conn, today)
        over = [row[0] for row in conn.execute(_q("tenants_over_budget"), {"month": today.replace(day=1)})]
    return dg.AssetCheckResult(
        passed=not over, severity=dg.AssetCheckSeverity.WARN,
        metadata={"alerts_fired": len(fired), "fired": dg.MetadataValue.json(fired),
                  "tenants_over_budget": dg.MetadataValue.json(over)})


cost_job = dg.define_asset_job(
    "cost_job", selection=dg.AssetSelection.assets(cost_usage, cost_dbt_assets))


@dg.schedule(job=cost_job, cron_schedule="0 4 * * *", execution_timezone="UTC",
             default_status=dg.DefaultScheduleStatus.RUNNING)
def cost_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """At 04:00 UTC, after the 02:00 attribution run has finished and can be charged."""
    return dg.RunRequest(run_key=f"cost-{context.scheduled_execution_time:%Y-%m-%d}")
