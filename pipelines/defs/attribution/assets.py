"""The attribution dbt models as one Dagster multi-asset, partitioned by UTC day.

A run covers a range of days (single-run backfills); each dbt test shows up as an asset check.
"""

import contextlib
import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from earmark import db
from earmark.attribution.dbt_env import dbt_environment
from earmark.sqlfiles import load
from pipelines.defs.attribution.project import attribution_project, manifest_path
from pipelines.defs.attribution.run_config import (
    attribution_dbt_args,
    attribution_dbt_env,
    attribution_dbt_vars,
)
from pipelines.defs.partitions import daily_partitions
from pipelines.usage_metadata import rows_by_tenant

ATTRIBUTION_GROUP = "attribution"
PARTIAL_PARSE = "partial_parse.msgpack"
# The catalog's marts (spend, economics, credits by show) live in the same dbt project and run, but are
# their own group in the UI: dbt_project/models/marts/catalog/.
CATALOG_GROUP = "catalog"
# The daily-metrics mart the insights assets read (dbt_project/models/marts/ai/) shows in their group.
AI_GROUP = "ai"
# The households mart (vendor metrics, dbt_project/models/marts/households/) shows with the matching assets.
HOUSEHOLDS_GROUP = "households"
# The cost marts are their own dbt assets (pipelines/defs/cost), built after the usage ledger.
COST_MODELS = "path:models/marts/cost"


class AttributionConfig(dg.Config):
    full_refresh: bool = False
    # Restrict the recompute to one tenant (uuid); every tenant when unset.
    tenant_id: str | None = None
    # Recompute every day of the partition range (a backfill, the nightly day). `earmark run` turns it
    # off: it materializes the days that can have changed and lets dbt recompute only what did.
    recompute_window: bool = True


class AttributionTranslator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", ())
        if "catalog" in fqn:
            return CATALOG_GROUP
        if "households" in fqn:
            return HOUSEHOLDS_GROUP
        return AI_GROUP if "ai" in fqn else ATTRIBUTION_GROUP

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
    exclude=COST_MODELS,
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    dagster_dbt_translator=AttributionTranslator(),
)
def attribution_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource, config: AttributionConfig):
    os.environ.update(dbt_environment())
    window = context.partition_time_window
    options = attribution_dbt_vars(window.start, window.end, tenant_id=config.tenant_id,
                                   full_refresh=config.full_refresh, run_id=context.run.run_id,
                                   recompute_window=config.recompute_window)
    args = attribution_dbt_args(full_refresh=config.full_refresh, tenant_id=config.tenant_id)
    context.log.info("dbt %s with %s", " ".join(args), options)
    # dagster-dbt hands dbt a copy of os.environ when it starts the process: set the run's options for
    # that moment only, so that nothing else in this process (another run, a test) inherits them.
    with _environment(attribution_dbt_env(options)):
        invocation = dbt.cli(args, context=context)
    yield from invocation.stream()
    # For the cost ledger: what this step processed per tenant (conversions and touches recomputed), the
    # rule its seconds are split by: the run's own rows in fct_attribution_runs, one per tenant recomputed.
    with db.connect("transformer") as conn:
        counts = dict(conn.execute(load("pipelines", "rows_by_tenant_of_run"),
                                   {"run_id": context.run.run_id}).fetchall())
    yield dg.AssetObservation(asset_key=next(iter(sorted(context.selected_asset_keys))),
                              metadata=rows_by_tenant(counts))
    # Reached only when dbt succeeded. dagster-dbt seeds each run's own target folder with the project's
    # partial parse; this run's parse (made with the run's profile and environment, which a `dbt parse`
    # at definition time is not) goes back in its place, so the next run parses only what changed
    # (1.7 s of a 5 s dbt build otherwise). Then the folder goes: compiled SQL, logs and a manifest
    # copy, about 2 MB a run, would pile up forever. A failed run keeps its folder for debugging.
    parsed = Path(invocation.target_path) / PARTIAL_PARSE
    if parsed.exists():
        shared = attribution_project.project_dir / "target" / PARTIAL_PARSE
        staged = shared.with_name(f"{PARTIAL_PARSE}.{context.run.run_id}")
        shutil.copyfile(parsed, staged)
        os.replace(staged, shared)  # atomic: a run starting now copies the old file or the new one
    shutil.rmtree(invocation.target_path, ignore_errors=True)


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
