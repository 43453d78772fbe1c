"""A run per request log that lands in $EARMARK_HOME/landing/<tenant_id>/requests/, and a recount of the days
that changed (a late log, a new list or spike threshold, a catalog edit) over their partition range."""

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from earmark.downloads.counted import stale_range
from earmark.orchestration import waiting_request_logs
from pipelines.defs.downloads.assets import download_counts, download_requests, every_request_accounted
from pipelines.defs.partitions import TENANTS_PARTITION
from pipelines.resources import EarmarkDatabase

download_requests_job = dg.define_asset_job("download_requests_job", selection=dg.AssetSelection.assets(
    download_requests) | dg.AssetSelection.checks(every_request_accounted))
download_counts_job = dg.define_asset_job("download_counts_job", selection=[download_counts])


@dg.sensor(job=download_requests_job, minimum_interval_seconds=30,
           default_status=dg.DefaultSensorStatus.RUNNING)
def download_landing_sensor(context: dg.SensorEvaluationContext, database: EarmarkDatabase):
    known = set(context.instance.get_dynamic_partitions(TENANTS_PARTITION))
    for tenant_id in database.active_tenant_ids():
        if tenant_id not in known:
            continue
        for path in waiting_request_logs(tenant_id):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            yield dg.RunRequest(
                run_key=f"{tenant_id}:requests:{path.name}:{stat.st_mtime_ns}:{stat.st_size}",
                partition_key=tenant_id,
                run_config=dg.RunConfig(ops={"download_requests": {"config": {"paths": [str(path)]}}}),
                tags={"earmark/file": path.name},
            )


@dg.sensor(job=download_counts_job, minimum_interval_seconds=60,
           default_status=dg.DefaultSensorStatus.RUNNING)
def download_recount_sensor(context: dg.SensorEvaluationContext, database: EarmarkDatabase):
    """One ranged run over the days whose counts are out of date; the cursor keeps a range from being asked
    for twice while its run is queued."""
    with database.connect() as conn:
        found = stale_range(conn)
    if found is None:
        return dg.SkipReason("every counted day is current")
    key = f"{found[0]}:{found[1]}"
    if context.cursor == key and context.instance.get_runs_count(dg.RunsFilter(
            statuses=[dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.STARTED,
                      dg.DagsterRunStatus.NOT_STARTED],
            job_name=download_counts_job.name)):
        return dg.SkipReason(f"a recount of {key} is under way")
    context.update_cursor(key)
    return dg.RunRequest(tags={ASSET_PARTITION_RANGE_START_TAG: found[0].isoformat(),
                               ASSET_PARTITION_RANGE_END_TAG: found[1].isoformat()})
