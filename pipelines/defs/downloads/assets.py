"""`download_requests`: a tenant's request logs loaded (idempotent on request_id); `download_counts`: the
IAB counting of UTC days, both window modes, for every tenant (earmark.downloads.counted)."""

from datetime import date
from pathlib import Path

import dagster as dg
from pydantic import Field

from earmark.downloads.counted import count_days
from earmark.downloads.ingest import DownloadsIngestError, ingest_file
from earmark.orchestration import file_landed, request_log_landing_folder, waiting_request_logs
from earmark.sqlfiles import load
from pipelines.defs.partitions import daily_partitions, tenant_partitions
from pipelines.resources import EarmarkDatabase
from pipelines.usage_metadata import rows_by_tenant


class DownloadRequestsConfig(dg.Config):
    paths: list[str] = Field(
        default_factory=list,
        description="Request logs to load; empty means every log waiting in the tenant's landing folder "
                    "requests/.",
    )


@dg.asset(
    key="download_requests",
    group_name="downloads",
    partitions_def=tenant_partitions,
    description="Raw podcast request logs per tenant (downloads.requests), idempotent on request_id; "
                "addresses only as keyed HMACs and sealed.",
    kinds={"python", "polars", "postgres"},
)
def download_requests(context: dg.AssetExecutionContext, config: DownloadRequestsConfig,
                      database: EarmarkDatabase) -> dg.MaterializeResult:
    tenant_id = context.partition_key
    landing = request_log_landing_folder(tenant_id)
    paths = [Path(p) for p in config.paths] or waiting_request_logs(tenant_id)
    totals = {"files": 0, "rows": 0, "loaded": 0, "duplicates": 0, "rejected": 0}
    days: list[str] = []
    failures: list[str] = []
    for path in paths:
        from_landing = path.resolve().parent == landing.resolve()
        try:
            result = ingest_file(tenant_id, path)
        except DownloadsIngestError as exc:
            failures.append(str(exc))
            context.log.error(str(exc))
            if from_landing:
                file_landed(path, landing / "failed", note=str(exc))
            continue
        context.log.info(f"{path.name}: {result.rows} rows, {result.loaded} loaded, {result.duplicates} "
                         f"duplicates, {result.rejected} rejected in {result.seconds:.2f}s")
        for key, value in result.counts().items():
            totals[key] += value
        totals["files"] += 1
        days.extend(d for d in (result.first_day, result.last_day) if d)
        if from_landing:
            file_landed(path, landing / "processed")
    metadata = {**totals, "tenant_id": tenant_id, "first_day": min(days, default=""),
                "last_day": max(days, default=""), **rows_by_tenant({tenant_id: totals["rows"]})}
    if failures:
        raise dg.Failure(description=failures[0], metadata={**metadata, "failed_files": len(failures)})
    return dg.MaterializeResult(metadata=metadata)


@dg.asset_check(asset="download_requests", name="every_request_accounted",
                description="rows = loaded + duplicates + rejected for every succeeded request log, and the "
                            "quarantine holds exactly the rejected rows.")
def every_request_accounted(database: EarmarkDatabase) -> dg.AssetCheckResult:
    with database.connect() as conn:
        unbalanced = conn.execute(load("pipelines.defs.downloads", "unbalanced_batches")).fetchone()[0]
    return dg.AssetCheckResult(passed=unbalanced == 0, metadata={"unbalanced_batches": unbalanced})


@dg.asset(
    key="download_counts",
    group_name="downloads",
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=[dg.AssetDep("download_requests", partition_mapping=dg.AllPartitionMapping())],
    description="Per request and window mode (fixed UTC day, rolling 24 h) its outcome and reason, per "
                "download its listener, bytes and ads, per ad its daily impressions (IAB v2.2 rules, "
                "IAB_COUNTING.md).",
    kinds={"python", "numba", "postgres"},
)
def download_counts(context: dg.AssetExecutionContext, database: EarmarkDatabase) -> dg.MaterializeResult:
    window = context.partition_key_range
    summary = count_days(date.fromisoformat(window.start), date.fromisoformat(window.end))
    context.log.info(f"counted {summary.requests:,} requests of {summary.tenants} tenant(s) from "
                     f"{summary.first} to {summary.last}: {summary.downloads}")
    return dg.MaterializeResult(metadata={
        "requests": summary.requests, "tenants": summary.tenants,
        "fixed_downloads": summary.downloads["fixed"], "rolling_downloads": summary.downloads["rolling"],
        "list_version": summary.list_version, "spike_threshold": summary.spike_threshold,
        "counted_through": summary.last.isoformat(), **rows_by_tenant(summary.rows_by_tenant),
        **{f"seconds_{k}": v for k, v in summary.phases.items()}})
