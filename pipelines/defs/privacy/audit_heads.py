"""The daily export of every audit chain's head to a file outside the database.

Verifying a chain against an exported head (`earmark audit verify --head FILE`, or the newest export by
default) catches what the chain alone cannot: a superuser who rewrote a tenant's whole chain consistently.
The folder is $EARMARK_HOME/audit-heads unless EARMARK_AUDIT_EXPORT_DIR names another (in production: storage
the database's administrators cannot write, such as an object-lock bucket mounted for the pipelines).
"""


import dagster as dg

from earmark import db
from earmark.privacy import audit
from earmark.settings import get_settings


@dg.asset(group_name="privacy",
          description="Every tenant's audit-chain head (seq and hash) with the time, in a file outside the "
                      "database.")
def audit_heads_export(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    settings = get_settings()
    with db.connect("owner") as conn:
        path = audit.export_heads(conn, settings.audit_export_folder)
    import json
    heads = json.loads(path.read_text())["heads"]
    context.log.info("exported %d audit-chain heads to %s", len(heads), path)
    return dg.MaterializeResult(metadata={"path": str(path), "chains": len(heads),
                                          "entries": sum(h["seq"] for h in heads.values())})


audit_heads_job = dg.define_asset_job("audit_heads_job", selection=[audit_heads_export])


@dg.schedule(job=audit_heads_job, cron_schedule="15 0 * * *", execution_timezone="UTC",
             default_status=dg.DefaultScheduleStatus.RUNNING)
def audit_heads_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return dg.RunRequest(run_key=f"audit-heads-{context.scheduled_execution_time:%Y-%m-%d}")
