"""`household_matches`: delivered ads matched to site visits by household, listener signals linked and
deduped, written as the touches attribution reads (earmark.households.matching); `campaign_lift`: each
campaign's lift against matched control households (earmark.households.lift_runs). Both run nightly in
attribution_job, between the download counts and the attribution marts, for every active tenant."""

import dagster as dg

from earmark.households import lift_runs, matching
from pipelines.defs.partitions import daily_partitions
from pipelines.resources import EarmarkDatabase
from pipelines.usage_metadata import rows_by_tenant


class HouseholdsConfig(dg.Config):
    # One tenant (uuid); every active tenant when unset.
    tenant_id: str | None = None


def _tenants(database: EarmarkDatabase, config: HouseholdsConfig) -> list[str]:
    return [config.tenant_id] if config.tenant_id else database.active_tenant_ids()


@dg.asset(
    key="household_matches",
    group_name="households",
    deps=["download_counts"],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Delivered ads matched to pixel events of the same residential household within the tenant's "
    "window; promo codes, vanity URLs and survey answers linked; one signal per conversion and "
    "campaign (households.signal_touches, feeding attribution).",
    kinds={"python", "polars", "postgres"},
)
def household_matches(
    context: dg.AssetExecutionContext, database: EarmarkDatabase, config: HouseholdsConfig
) -> dg.MaterializeResult:
    found = {}
    for tenant_id in _tenants(database, config):
        summary = matching.run_tenant(tenant_id)
        found[tenant_id] = summary.as_json()
        context.log.info("households of %s: %s", tenant_id, summary.as_json())
    total = lambda key: sum(s[key] for s in found.values())  # noqa: E731
    return dg.MaterializeResult(
        metadata={
            "tenants": len(found),
            "exposures": total("exposures"),
            "matched_exposures": total("matched_exposures"),
            "pixel_visitors": total("pixel_visitors"),
            "matched_visitors": total("matched_visitors"),
            "by_tenant": dg.MetadataValue.json(found),
            # the cost ledger splits the step by what it processed per tenant: exposures and pixel visitors
            **rows_by_tenant({t: s["exposures"] + s["pixel_visitors"] for t, s in found.items()}),
        }
    )


@dg.asset(
    key="campaign_lift",
    group_name="households",
    deps=["household_matches"],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    description="Each campaign's lift in visits and conversions: exposed households against control "
    "households of the same shows and weeks, with a bootstrap 95 % interval (households.lift_results).",
    kinds={"python", "numpy", "postgres"},
)
def campaign_lift(
    context: dg.AssetExecutionContext, database: EarmarkDatabase, config: HouseholdsConfig
) -> dg.MaterializeResult:
    as_of = context.partition_time_window.end.date()
    stored = {}
    for tenant_id in _tenants(database, config):
        results = lift_runs.store_tenant(tenant_id, as_of)
        stored[tenant_id] = len(results)
    return dg.MaterializeResult(
        metadata={
            "tenants": len(stored),
            "campaign_results": sum(stored.values()),
            "as_of": as_of.isoformat(),
            **rows_by_tenant(stored),
        }
    )
