"""The Earmark code location: assembles each domain under defs/; no logic lives here."""

import dagster as dg

from pipelines.defs import attribution, ingest, tenants
from pipelines.resources import EarmarkDatabase

defs = dg.Definitions(
    assets=[ingest.raw_events, attribution.attribution_dbt_assets],
    asset_checks=[ingest.ingest_batches_balanced],
    jobs=[ingest.ingest_job, attribution.attribution_job],
    sensors=[ingest.landing_sensor, tenants.tenant_partitions_sensor],
    schedules=[attribution.attribution_schedule],
    resources={"database": EarmarkDatabase(), "dbt": attribution.dbt_resource()},
)
