"""`landing_sensor`: a run per file that lands in $EARMARK_HOME/landing/<tenant_id>/."""

import dagster as dg

from earmark.orchestration import waiting_files
from pipelines.defs.ingest.assets import raw_events
from pipelines.defs.partitions import TENANTS_PARTITION
from pipelines.resources import EarmarkDatabase

ingest_job = dg.define_asset_job("ingest_landed_files", selection=[raw_events])


@dg.sensor(job=ingest_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING)
def landing_sensor(context: dg.SensorEvaluationContext, database: EarmarkDatabase):
    known = set(context.instance.get_dynamic_partitions(TENANTS_PARTITION))
    for tenant_id in database.active_tenant_ids():
        if tenant_id not in known:
            continue  # the tenant sensor adds the partition first
        for path in waiting_files(tenant_id):
            stat = path.stat()
            yield dg.RunRequest(
                run_key=f"{tenant_id}:{path.name}:{stat.st_mtime_ns}:{stat.st_size}",
                partition_key=tenant_id,
                run_config=dg.RunConfig(ops={"raw_events": {"config": {"paths": [str(path)]}}}),
                tags={"earmark/file": path.name},
            )
