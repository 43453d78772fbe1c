"""`attribution_job` and its `attribution_schedule`: at 02:00 UTC, count the previous UTC day's downloads,
match households, attribute the day and measure lift, for every tenant (the counts feed the economics
marts' impressions, the matches attribution's podcast touches)."""

from datetime import datetime, timedelta

import dagster as dg

from pipelines.defs.attribution.assets import attribution_dbt_assets
from pipelines.defs.downloads.assets import download_counts
from pipelines.defs.households.assets import campaign_lift, household_matches

# Counts, then households (their matched touches enter attribution), then the marts, then each campaign's
# lift.
attribution_job = dg.define_asset_job(
    "attribution_job",
    selection=dg.AssetSelection.assets(download_counts, household_matches, attribution_dbt_assets,
                                       campaign_lift),
)


def previous_day_partition(scheduled_at: datetime) -> str:
    """The partition a nightly tick covers: the UTC day before the tick."""
    return (scheduled_at - timedelta(days=1)).strftime("%Y-%m-%d")


@dg.schedule(job=attribution_job, cron_schedule="0 2 * * *", execution_timezone="UTC",
             default_status=dg.DefaultScheduleStatus.RUNNING)
def attribution_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    day = previous_day_partition(context.scheduled_execution_time)
    return dg.RunRequest(run_key=f"nightly-{day}", partition_key=day)
