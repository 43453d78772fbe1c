"""Insights on the daily metrics, per UTC day (the night's `as_of`) for every active tenant: anomalies (with a
check on the newest day), forecasts, campaign predictions and recommendations, in `insights_job` at 03:00
UTC, after attribution built the marts. Rerunning a day replaces that day's outputs (earmark.ai.insights)."""

from collections.abc import Callable
from datetime import date

import dagster as dg
from pydantic import Field

from earmark.ai.insights import nightly, planning
from earmark.ai.insights.nightly import NightSummary
from pipelines.defs.attribution.schedules import previous_day_partition
from pipelines.defs.partitions import daily_partitions
from pipelines.resources import EarmarkDatabase
from pipelines.usage_metadata import rows_by_tenant

INSIGHTS_GROUP = "ai"
NEWEST_DAY_CHECK = "newest_day_as_expected"
MARTS = [dg.AssetKey("fct_daily_metrics")]


class InsightsConfig(dg.Config):
    tenant_id: str | None = Field(None, description="Only this tenant (uuid); every active tenant when "
                                                    "unset.")


def _tenants(database: EarmarkDatabase, config: InsightsConfig) -> list[str]:
    return [config.tenant_id] if config.tenant_id else sorted(database.active_tenant_ids())


def _run_night(context: dg.AssetExecutionContext, database: EarmarkDatabase, config: InsightsConfig,
               task: Callable[..., NightSummary]) -> tuple[list[NightSummary], dict]:
    as_of = date.fromisoformat(context.partition_key)
    summaries = [task(tenant_id, as_of, run_id=context.run.run_id)
                 for tenant_id in _tenants(database, config)]
    for s in summaries:
        skipped = ", ".join(f"{n} ({reason})" for reason, n in sorted(s.skipped.items()))
        context.log.info(f"{s.tenant_id}: {s.modelled}/{s.series} modelled, {s.outputs} rows in "
                         f"{s.seconds:.2f}s" + (f"; skipped {skipped}" if skipped else ""))
    metadata = {"tenants": len(summaries), "as_of": as_of.isoformat(),
                "series": sum(s.series for s in summaries), "modelled": sum(s.modelled for s in summaries),
                "outputs": sum(s.outputs for s in summaries),
                **rows_by_tenant({s.tenant_id: s.series for s in summaries})}
    return summaries, metadata


@dg.asset(
    key="metric_anomalies", group_name=INSIGHTS_GROUP, partitions_def=daily_partitions, deps=MARTS,
    kinds={"python", "statsmodels", "postgres"},
    description="Anomalies in every daily series of every tenant up to the day (ai.anomalies): spikes, dips "
                "and outages, level shifts and changes of release pattern, against a robust model of the "
                "weekly rhythm, release days, trend and holidays; each explained in one sentence, with the "
                "episode, IP key, campaign, show or channel behind it where Earmark holds the detail.",
    check_specs=[dg.AssetCheckSpec(NEWEST_DAY_CHECK, asset="metric_anomalies",
                                   description="No series is anomalous on the partition's day itself.")],
)
def metric_anomalies(context: dg.AssetExecutionContext, database: EarmarkDatabase, config: InsightsConfig):
    summaries, metadata = _run_night(context, database, config, nightly.detect_anomalies)
    newest = [{"tenant_id": s.tenant_id, **{k: str(v) if isinstance(v, date) else v for k, v in row.items()
                                             if k in ("scope", "entity_id", "metric", "kind", "explanation")}}
              for s in summaries for row in s.newest_day]
    yield dg.MaterializeResult(metadata=metadata)
    yield dg.AssetCheckResult(
        check_name=NEWEST_DAY_CHECK, passed=not newest, severity=dg.AssetCheckSeverity.WARN,
        description=newest[0]["explanation"] if newest else "Every series looks as expected on the day.",
        metadata={"anomalies": len(newest), "first": dg.MetadataValue.json(newest[:20])})


@dg.asset(
    key="metric_forecasts", group_name=INSIGHTS_GROUP, partitions_def=daily_partitions, deps=MARTS,
    kinds={"python", "statsmodels", "postgres"},
    description="The next 28 days of every daily series with an 80 % interval (ai.forecasts), from the same "
                "model of the expected value the anomaly detection uses, projected over known and learned "
                "release days.",
)
def metric_forecasts(context: dg.AssetExecutionContext, database: EarmarkDatabase,
                     config: InsightsConfig) -> dg.MaterializeResult:
    _, metadata = _run_night(context, database, config, nightly.forecast_series)
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key="campaign_predictions", group_name=INSIGHTS_GROUP, partitions_def=daily_partitions,
    deps=[dg.AssetKey("fct_daily_spend"), dg.AssetKey("fct_daily_show_credits")],
    kinds={"python", "scipy", "postgres"},
    description="Conversions and ROAS each running campaign's placements should deliver over the next four "
                "weeks at their recent spend (ai.campaign_predictions): a saturating response curve per show "
                "and slot, pooled with the tenant's placements of the same kind where history is short, "
                "with 80 % intervals and the time-ordered validation error beside a linear baseline.",
)
def campaign_predictions(context: dg.AssetExecutionContext, database: EarmarkDatabase,
                         config: InsightsConfig) -> dg.MaterializeResult:
    _, metadata = _run_night(context, database, config, planning.predict_campaigns)
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key="recommendations", group_name=INSIGHTS_GROUP, partitions_def=daily_partitions,
    deps=[metric_anomalies, campaign_predictions,
          dg.AssetDep("transcript_analysis", partition_mapping=dg.AllPartitionMapping())],
    kinds={"python", "postgres"},
    description="What to change (ai.recommendations): budget shifts toward higher marginal return under the "
                "tenant's reporting model, ad-read fixes with the measured difference they made, and "
                "anomalies that need action; each with its expected effect and interval, evidence and model.",
)
def recommendations(context: dg.AssetExecutionContext, database: EarmarkDatabase,
                    config: InsightsConfig) -> dg.MaterializeResult:
    _, metadata = _run_night(context, database, config, planning.recommend)
    return dg.MaterializeResult(metadata=metadata)


insights_job = dg.define_asset_job(
    "insights_job",
    selection=dg.AssetSelection.assets(metric_anomalies, metric_forecasts, campaign_predictions,
                                       recommendations),
)


@dg.schedule(job=insights_job, cron_schedule="0 3 * * *", execution_timezone="UTC",
             default_status=dg.DefaultScheduleStatus.RUNNING)
def insights_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """At 03:00 UTC, after attribution (02:00) built the marts: the UTC day before the tick."""
    day = previous_day_partition(context.scheduled_execution_time)
    return dg.RunRequest(run_key=f"insights-{day}", partition_key=day)
