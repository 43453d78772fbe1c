"""`raw_events`: one tenant's waiting files validated with polars and bulk-loaded with COPY."""

from pathlib import Path

import dagster as dg
from pydantic import Field

from earmark.ingest import IngestFileError, ingest_file
from earmark.orchestration import file_landed, landing_folder, waiting_files
from earmark.settings import get_settings
from pipelines.defs.partitions import tenant_partitions
from pipelines.resources import EarmarkDatabase
from pipelines.usage_metadata import rows_by_tenant


class IngestConfig(dg.Config):
    paths: list[str] = Field(
        default_factory=list,
        description="Files to ingest; empty means every file waiting in the tenant's landing folder.",
    )


@dg.asset(
    key="raw_events",
    group_name="ingest",
    partitions_def=tenant_partitions,
    description="Canonical touchpoints and conversions per tenant (raw.events), idempotent on event_id.",
    kinds={"python", "polars", "postgres"},
)
def raw_events(context: dg.AssetExecutionContext, config: IngestConfig,
               database: EarmarkDatabase) -> dg.MaterializeResult:
    tenant_id = context.partition_key
    settings = get_settings()
    landing = landing_folder(tenant_id, settings)
    paths = [Path(p) for p in config.paths] or waiting_files(tenant_id, settings)
    totals = {"files": 0, "rows": 0, "loaded": 0, "duplicates": 0, "rejected": 0, "seconds": 0.0}
    failures: list[str] = []
    for path in paths:
        from_landing = path.resolve().parent == landing.resolve()
        try:
            result = ingest_file(tenant_id, path)
        except IngestFileError as exc:
            failures.append(str(exc))
            context.log.error(str(exc))
            if from_landing:
                file_landed(path, landing / "failed", note=str(exc))
            continue
        context.log.info(
            f"{path.name}: {result.rows} rows, {result.loaded} loaded, {result.duplicates} duplicates, "
            f"{result.rejected} rejected in {result.seconds:.2f}s"
        )
        for key in ("rows", "loaded", "duplicates", "rejected"):
            totals[key] += getattr(result, key)
        totals["seconds"] = round(totals["seconds"] + result.seconds, 3)
        totals["files"] += 1
        if from_landing:
            file_landed(path, landing / "processed")
    if failures:
        raise dg.Failure(description=failures[0], metadata={**totals, "failed_files": len(failures)})
    return dg.MaterializeResult(metadata={**totals, "tenant_id": tenant_id,
                                          **rows_by_tenant({tenant_id: totals["rows"]})})


