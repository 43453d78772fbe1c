"""Raw-data retention in Dagster: `raw_retention` deletes, tenant by tenant, raw rows older than each
tenant's `raw_retention_months` and the derived rows that came only from them (earmark.privacy.retention),
in `retention_job` at 04:30 UTC, after the night's attribution (02:00), insights (03:00) and cost (04:00)
runs."""

from collections import Counter
from datetime import UTC, datetime

import dagster as dg
from pydantic import Field

from earmark.privacy import retention
from pipelines.resources import EarmarkDatabase
from pipelines.usage_metadata import rows_by_tenant

PRIVACY_GROUP = "privacy"


class RetentionConfig(dg.Config):
    tenant_ids: list[str] | None = Field(None, description="Only these tenants (uuids); every active tenant "
                                                           "when unset.")


@dg.asset(
    key="raw_retention", group_name=PRIVACY_GROUP, kinds={"python", "postgres"},
    description="Deletes each active tenant's raw rows older than its raw_retention_months setting (default "
                "25; cutoff: the start of the UTC day that many calendar months before today): events, "
                "ingest batches and their quarantine, download requests and request logs; and what came only "
                "from them: the counts of those days (request outcomes, downloads, delivered ads, counted "
                "days) and the attribution of conversions dated before the cutoff. One transaction and one "
                "audit entry (retention_applied) per tenant that lost rows.",
)
def raw_retention(context: dg.AssetExecutionContext, database: EarmarkDatabase,
                  config: RetentionConfig) -> dg.MaterializeResult:
    today = datetime.now(UTC).date()
    tenants = config.tenant_ids if config.tenant_ids else sorted(database.active_tenant_ids())
    removals = []
    with database.connect() as conn:
        for tenant_id in tenants:
            removal = retention.apply_retention(conn, tenant_id, today)
            removals.append(removal)
            removed = ", ".join(f"{n} {table}" for table, n in removal.removed_only().items()) or "nothing"
            context.log.info(f"{removal.tenant_id}: kept {removal.retention_months} months (from "
                             f"{removal.cutoff.isoformat()}); removed {removed}")
    totals: Counter[str] = Counter()
    for removal in removals:
        totals.update(removal.removed)
    return dg.MaterializeResult(metadata={
        "today": today.isoformat(),
        "tenants": len(removals),
        "rows_removed": sum(totals.values()),
        **{f"removed {table}": totals[table] for table in sorted(totals)},
        "removed_by_tenant": dg.MetadataValue.json({r.tenant_id: r.removed for r in removals}),
        "cutoff_by_tenant": dg.MetadataValue.json({r.tenant_id: r.cutoff.isoformat() for r in removals}),
        **rows_by_tenant({r.tenant_id: r.total for r in removals}),
    })


retention_job = dg.define_asset_job("retention_job", selection=dg.AssetSelection.assets(raw_retention))


@dg.schedule(job=retention_job, cron_schedule="30 4 * * *", execution_timezone="UTC",
             default_status=dg.DefaultScheduleStatus.RUNNING)
def retention_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """At 04:30 UTC, after the night's attribution, insights and cost runs have read the day's data."""
    return dg.RunRequest(run_key=f"retention-{context.scheduled_execution_time:%Y-%m-%d}")
