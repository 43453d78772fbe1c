"""Transform domain: the attribution dbt project as Dagster assets."""

from pipelines.defs.transform.assets import attribution_dbt_assets
from pipelines.defs.transform.project import attribution_project, dbt_resource
from pipelines.defs.transform.run_config import attribution_run_config

__all__ = ["attribution_dbt_assets", "attribution_project", "attribution_run_config", "dbt_resource"]
