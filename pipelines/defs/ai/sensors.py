"""A run per transcript file that lands in $EARMARK_HOME/landing/<tenant_id>/transcripts/, and the nightly
analysis of every tenant's new or changed transcripts.

The run key is the file's name, modification time and size: the same file waiting at the next tick asks for
no new run, a new version of it does. `earmark run` may load the file first; the queued run then finds it
gone and skips it (outcome `vanished`). Symbolic links are never queued (see waiting_transcripts)."""

import dagster as dg

from earmark.orchestration import waiting_transcripts
from pipelines.defs.ai.assets import transcript_analysis, transcripts
from pipelines.defs.partitions import TENANTS_PARTITION
from pipelines.resources import EarmarkDatabase

transcripts_job = dg.define_asset_job("transcripts_job", selection=[transcripts, transcript_analysis])
analysis_job = dg.define_asset_job("transcript_analysis_job", selection=[transcript_analysis])


@dg.sensor(job=transcripts_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING)
def transcript_landing_sensor(context: dg.SensorEvaluationContext, database: EarmarkDatabase):
    known = set(context.instance.get_dynamic_partitions(TENANTS_PARTITION))
    for tenant_id in database.active_tenant_ids():
        if tenant_id not in known:
            continue
        for path in waiting_transcripts(tenant_id):
            try:
                stat = path.stat()
            except FileNotFoundError:  # loaded and moved by a run since the folder was listed
                continue
            yield dg.RunRequest(
                run_key=f"{tenant_id}:transcripts:{path.name}:{stat.st_mtime_ns}:{stat.st_size}",
                partition_key=tenant_id,
                run_config=dg.RunConfig(ops={"transcripts": {"config": {"paths": [str(path)]}}}),
                tags={"earmark/file": path.name},
            )


@dg.schedule(job=analysis_job, cron_schedule="30 2 * * *", execution_timezone="UTC",
             default_status=dg.DefaultScheduleStatus.RUNNING)
def transcript_analysis_schedule(context: dg.ScheduleEvaluationContext):
    """Nightly after attribution: a run per known tenant (a tenant with nothing new finishes at once)."""
    day = context.scheduled_execution_time.strftime("%Y-%m-%d")
    for tenant_id in context.instance.get_dynamic_partitions(TENANTS_PARTITION):
        yield dg.RunRequest(run_key=f"analysis-{day}-{tenant_id}", partition_key=tenant_id)
