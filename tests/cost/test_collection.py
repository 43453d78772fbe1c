"""The ledger measured from Dagster's own step events: split by the rows each tenant had, counted once however
often the collection runs or the whole event log is read again."""

import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import dagster as dg
import pytest

from earmark import db
from pipelines.defs.cost import cost_usage
from pipelines.defs.partitions import tenant_partitions
from pipelines.defs.tenants import ensure_tenant_partitions
from pipelines.usage_metadata import rows_by_tenant


def _collect(instance) -> dict:
    result = dg.materialize([cost_usage], instance=instance, raise_on_error=False)
    assert result.success
    return {k: v.value for k, v in result.asset_materializations_for_node("cost_usage")[0].metadata.items()}


def _ledger(run_ids: list[str]) -> list[tuple]:
    with db.connect("owner") as conn:
        return conn.execute(
            "select tenant_id, resource, tags ->> 'step', quantity from cost.usage_events "
            "where source = 'dagster_step' and tags ->> 'run_id' = any(%(runs)s) "
            "union all "
            "select null, resource, tags ->> 'step', quantity from cost.unattributed_usage "
            "where source = 'dagster_step' and tags ->> 'run_id' = any(%(runs)s) order by 2, 3, 1",
            {"runs": run_ids}).fetchall()


def _seconds(instance, run_id: str, step: str) -> Decimal:
    """The step's wall time from its start and success events, as Dagster stored them."""
    records = instance.get_records_for_run(run_id, of_type={dg.DagsterEventType.STEP_START,
                                                            dg.DagsterEventType.STEP_SUCCESS}).records
    times = [datetime.fromtimestamp(r.event_log_entry.timestamp, UTC) for r in records
             if r.event_log_entry.step_key == step]
    start, end = times
    return Decimal((end - start) // timedelta(microseconds=1)) / 1_000_000


@pytest.fixture
def two_tenants(make_tenant):
    return make_tenant(), make_tenant()


def test_steps_are_charged_by_rows_once_however_often_the_log_is_read(two_tenants, dagster_instance):
    a, b = two_tenants
    ensure_tenant_partitions(dagster_instance, [str(a.id)])

    @dg.asset(key="cost_test_shared_step")
    def shared_step():
        time.sleep(0.2)
        return dg.MaterializeResult(metadata=rows_by_tenant({a.id: 1, b.id: 3}))

    @dg.asset(key="cost_test_tenant_step", partitions_def=tenant_partitions)
    def tenant_step():
        time.sleep(0.1)

    @dg.asset(key="cost_test_platform_step")
    def platform_step():
        return None

    shared = dg.materialize([shared_step], instance=dagster_instance)
    partitioned = dg.materialize([tenant_step], instance=dagster_instance, partition_key=str(a.id))
    platform = dg.materialize([platform_step], instance=dagster_instance)
    runs = [shared.run_id, partitioned.run_id, platform.run_id]
    first = _collect(dagster_instance)
    assert first["runs_read"] >= 3
    rows = _ledger(runs)

    total = _seconds(dagster_instance, shared.run_id, "cost_test_shared_step")
    shared_seconds = {t: q for t, r, s, q in rows if s == "cost_test_shared_step" and r == "compute_seconds"}
    assert set(shared_seconds) == {a.id, b.id}
    assert sum(shared_seconds.values()) == total >= Decimal("0.2")
    # 1:3, each share rounded to the microsecond with the leftover microseconds to the largest remainders
    assert abs(shared_seconds[b.id] - 3 * shared_seconds[a.id]) <= Decimal("0.000004")
    assert {(t, q) for t, r, s, q in rows
            if s == "cost_test_shared_step" and r == "db_rows"} == {(a.id, 1), (b.id, 3)}
    # database time is the step's wall time (the embedded server has no pg_stat_statements)
    assert {t: q for t, r, s, q in rows
            if s == "cost_test_shared_step" and r == "db_seconds"} == shared_seconds
    # a tenant-partitioned step is its tenant's; a step naming no tenant is unattributed, never spread
    assert [(t, q) for t, r, s, q in rows if s == "cost_test_tenant_step" and r == "compute_seconds"] == [
        (a.id, _seconds(dagster_instance, partitioned.run_id, "cost_test_tenant_step"))]
    assert [t for t, r, s, q in rows if s == "cost_test_platform_step" and r == "compute_seconds"] == [None]

    # The same step events again: the collection of finished runs, and the whole event log replayed.
    _collect(dagster_instance)
    with db.connect("owner") as conn:
        conn.execute("delete from cost.collected_runs where run_id = any(%s)", [runs])
    replay = _collect(dagster_instance)
    assert replay["runs_read"] >= 3
    assert _ledger(runs) == rows


def test_a_tenant_key_never_reads_the_ledger_of_another(two_tenants, database):
    a, b = two_tenants
    from earmark.cost import ledger
    from earmark.cost.ledger import UsageEvent

    with db.connect("owner") as conn, conn.transaction():
        ledger.record(conn, [UsageEvent(t.id, "test", uuid4().hex, "api_requests", date(2026, 1, 5),
                                        Decimal(7), "api/v1") for t in (a, b)])
    with db.connect("api") as conn, db.tenant_transaction(conn, a.id):
        seen = {row[0] for row in conn.execute("select tenant_id from cost.usage_events")}
    assert seen == {a.id}


def test_a_retried_step_is_charged_once_per_attempt(make_tenant, dagster_instance):
    tenant = make_tenant()
    attempts = []

    @dg.asset(key="cost_test_flaky_step", retry_policy=dg.RetryPolicy(max_retries=1))
    def flaky_step():
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("the first attempt fails")
        return dg.MaterializeResult(metadata=rows_by_tenant({tenant.id: 5}))

    run = dg.materialize([flaky_step], instance=dagster_instance)
    assert len(attempts) == 2
    _collect(dagster_instance)
    with db.connect("owner") as conn:
        charged = conn.execute(
            "select tags ->> 'attempt', tags ->> 'outcome' from cost.usage_events "
            "where resource = 'compute_seconds' "
            "and tags ->> 'run_id' = %(run)s union all select tags ->> 'attempt', tags ->> 'outcome' "
            "from cost.unattributed_usage where resource = 'compute_seconds' and tags ->> 'run_id' = %(run)s "
            "order by 1", {"run": run.run_id}).fetchall()
    # the failed attempt reported no rows: nobody to charge it to by name; the second served the tenant
    assert charged == [("1", "failure"), ("2", "success")]
