"""The attribution dbt models as one Dagster multi-asset, partitioned by UTC day.

A run covers a range of days (single-run backfills); each dbt test shows up as an asset check.
"""

import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from earmark.attribution.dbt_env import dbt_environment
from pipelines.defs.attribution.project import attribution_project, manifest_path
from pipelines.defs.attribution.run_config import attribution_dbt_args
from pipelines.defs.partitions import daily_partitions

ATTRIBUTION_GROUP = "attribution"
# The catalog's marts (spend, economics, credits by show) live in the same dbt project and run, but are
# their own group in the UI: dbt_project/models/marts/catalog/.
CATALOG_GROUP = "catalog"


class AttributionConfig(dg.Config):
    full_refresh: bool = False
    # Restrict the recompute to one tenant (uuid); every tenant when unset.
    tenant_id: str | None = None


class AttributionTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return CATALOG_GROUP if "catalog" in dbt_resource_props.get("fqn", ()) else ATTRIBUTION_GROUP

    def get_partition_mapping(self, dbt_resource_props: Mapping[str, Any],
                              dbt_parent_resource_props: Mapping[str, Any]) -> dg.PartitionMapping | None:
        # raw_events is partitioned by tenant and days by nothing: any day may read every tenant's events.
        if dbt_parent_resource_props.get("resource_type") == "source":
            return dg.AllPartitionMapping()
        return super().get_partition_mapping(dbt_resource_props, dbt_parent_resource_props)


@dbt_assets(
    manifest=manifest_path(),
    project=attribution_project,
    name="attribution_dbt_assets",
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    dagster_dbt_translator=AttributionTranslator(),
)
def attribution_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: AttributionConfig):
    os.environ.update(dbt_environment())
    window = context.partition_time_window
    args = attribution_dbt_args(window.start, window.end, tenant_id=config.tenant_id,
                                full_refresh=config.full_refresh, run_id=context.run_id)
    context.log.info("dbt %s", " ".join(args))
    yield from dbt.cli(args, context=context).stream()
