"""Data-subject requests, carried out by a Dagster job that a sensor starts when one is open.

The work is earmark.privacy.processing (phases that survive a restart); this module gives it the one thing
the core cannot do itself: rebuilding the attribution marts of one tenant for exactly the affected
conversion dates (a dbt build with attribution_tenant_id and attribution_dates, the same project, profile
and selection the attribution assets use).
"""


import hashlib
import os
from datetime import UTC, date, datetime, timedelta

import dagster as dg

from earmark import db
from earmark.attribution import dbt_env
from earmark.privacy import processing
from pipelines.defs.attribution.assets import COST_MODELS, _environment
from pipelines.defs.attribution.run_config import attribution_dbt_env

# A request whose run died is tried again after this long (a live run refreshes attempted_at per request).
RETRY_AFTER = timedelta(minutes=10)


class PrivacyRequestsConfig(dg.Config):
    # Restrict the run to one request (uuid); every open request when unset.
    request_id: str | None = None


def recompute_attribution(tenant_id: str, dates: list[date]) -> dict:
    """Household matching for the tenant (its touches come from the raw events just changed), then a dbt build
    of the attribution marts for the tenant and exactly these conversion dates."""
    from earmark.households import matching

    matching.run_tenant(tenant_id)
    options = {"attribution_tenant_id": tenant_id,
               "attribution_dates": ",".join(d.isoformat() for d in dates),
               "attribution_run_id": f"privacy-{tenant_id[:8]}-{datetime.now(UTC):%Y%m%dT%H%M%S}"}
    os.environ.update(dbt_env.dbt_environment())
    with _environment(attribution_dbt_env(options)):
        done = dbt_env.run_dbt("build", "--exclude-resource-type", "unit_test", "--exclude", COST_MODELS)
    if done.returncode != 0:
        tail = done.stdout[-1500:]
        raise RuntimeError(f"the attribution rebuild for the request failed (dbt exit {done.returncode}): "
                           f"{tail}")
    return {"dbt": "build", "run_id": options["attribution_run_id"]}


@dg.op(description="Carry every open data-subject request as far as it goes: delete or re-key, recompute, "
                   "scan.")
def process_privacy_requests(context: dg.OpExecutionContext, config: PrivacyRequestsConfig) -> dict:
    with db.connect("transformer") as conn:
        pending = processing.open_requests(conn)
    done: dict[str, str] = {}
    for tenant_id, request_id, kind, phase, _attempted in pending:
        if config.request_id and str(request_id) != config.request_id:
            continue
        outcome = processing.process(str(tenant_id), str(request_id), recompute_attribution)
        context.log.info("privacy request %s (%s): %s -> %s%s", request_id, kind, phase, outcome.phase,
                         f" ({outcome.error})" if outcome.error else "")
        done[str(request_id)] = outcome.phase
    context.add_output_metadata({"requests": len(done),
                                 "completed": sum(1 for p in done.values() if p == "completed"),
                                 "phases": dg.MetadataValue.json(done)})
    return done


@dg.job(description="Data-subject requests (GDPR access, rectification, erasure), started by its sensor.")
def privacy_requests_job():
    process_privacy_requests()


def due_requests(pending: list[tuple], now: datetime) -> list[tuple]:
    """The open requests a run should pick up: never attempted, or attempted so long ago its run died."""
    return [r for r in pending if r[4] is None or r[4] < now - RETRY_AFTER]


@dg.sensor(job=privacy_requests_job, minimum_interval_seconds=30,
           default_status=dg.DefaultSensorStatus.RUNNING)
def privacy_requests_sensor(context: dg.SensorEvaluationContext):
    with db.connect("transformer") as conn:
        due = due_requests(processing.open_requests(conn), datetime.now(UTC))
    if not due:
        return dg.SkipReason("no open data-subject request")
    # one run per set of due requests and their attempts: a retry after RETRY_AFTER gets a new key
    digest = hashlib.sha256(repr([(str(r[1]), r[3], r[4]) for r in due]).encode()).hexdigest()[:16]
    return dg.RunRequest(run_key=f"privacy-{digest}", tags={"earmark/privacy-requests": str(len(due))})
