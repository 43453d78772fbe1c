"""The Earmark code location: assembles each domain under defs/; no logic lives here."""

import dagster as dg

from pipelines.defs import ai, attribution, cost, downloads, households, ingest, privacy, tenants
from pipelines.resources import EarmarkDatabase

defs = dg.Definitions(
    assets=[ingest.raw_events, attribution.attribution_dbt_assets, ai.transcripts, ai.transcript_analysis,
            ai.metric_anomalies, ai.metric_forecasts, ai.campaign_predictions, ai.recommendations,
            downloads.download_requests, downloads.download_counts, cost.cost_usage, cost.cost_dbt_assets,
            privacy.audit_heads_export, privacy.raw_retention, households.household_matches,
            households.campaign_lift],
    asset_checks=[ingest.ingest_batches_balanced, downloads.every_request_accounted, cost.budget_alerts],
    jobs=[ingest.ingest_job, attribution.attribution_job, ai.transcripts_job, ai.analysis_job,
          ai.insights_job, downloads.download_requests_job, downloads.download_counts_job, cost.cost_job,
          privacy.privacy_requests_job, privacy.audit_heads_job, privacy.retention_job],
    sensors=[ingest.landing_sensor, tenants.tenant_partitions_sensor, ai.transcript_landing_sensor,
             downloads.download_landing_sensor, downloads.download_recount_sensor,
             privacy.privacy_requests_sensor],
    schedules=[attribution.attribution_schedule, ai.transcript_analysis_schedule, ai.insights_schedule,
               cost.cost_schedule, privacy.audit_heads_schedule, privacy.retention_schedule],
    resources={"database": EarmarkDatabase(), "dbt": attribution.dbt_resource()},
)
