"""Attribution domain: the dbt project as Dagster assets (group `attribution`), the `attribution_job`
over them and its nightly `attribution_schedule`."""

from pipelines.defs.attribution.assets import attribution_dbt_assets
from pipelines.defs.attribution.project import attribution_project, dbt_resource
from pipelines.defs.attribution.run_config import attribution_run_config
from pipelines.defs.attribution.schedules import attribution_job, attribution_schedule

__all__ = ["attribution_dbt_assets", "attribution_job", "attribution_project", "attribution_run_config",
           "attribution_schedule", "dbt_resource"]
