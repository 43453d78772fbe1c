"""The Earmark code location: assembles each domain under defs/; no logic lives here."""

import dagster as dg

from pipelines.defs import automation, ingest, transform
from pipelines.resources import EarmarkDatabase

defs = dg.Definitions(
    assets=[ingest.raw_events, transform.attribution_dbt_assets],
    asset_checks=[ingest.ingest_batches_balanced],
    jobs=[ingest.ingest_job, automation.attribution_job],
    sensors=[ingest.landing_sensor, automation.tenant_partitions_sensor],
    schedules=[automation.nightly_attribution_schedule],
    resources={"database": EarmarkDatabase(), "dbt": transform.dbt_resource()},
)
