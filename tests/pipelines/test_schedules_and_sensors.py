"""Sensors and the nightly schedule, evaluated against the real instance and database."""

from datetime import UTC, datetime

import dagster as dg

from pipelines.defs.attribution.schedules import attribution_schedule, previous_day_partition
from pipelines.defs.ingest.sensors import landing_sensor
from pipelines.defs.partitions import TENANTS_PARTITION
from pipelines.defs.tenants.sensors import partition_changes, tenant_partitions_sensor
from pipelines.resources import EarmarkDatabase


def test_previous_day_partition_is_the_utc_day_before_the_tick():
    assert previous_day_partition(datetime(2026, 11, 25, 2, 0, tzinfo=UTC)) == "2026-11-24"
    assert previous_day_partition(datetime(2027, 1, 1, 2, 0, tzinfo=UTC)) == "2026-12-31"


def test_nightly_schedule_requests_yesterday():
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 3, 1, 2, 0, tzinfo=UTC))
    request = attribution_schedule(context)
    assert (request.partition_key, request.run_key) == ("2026-02-28", "nightly-2026-02-28")


def test_partition_changes_adds_new_and_removes_gone_tenants():
    assert partition_changes({"a", "b"}, {"b", "c"}) == (["a"], ["c"])
    assert partition_changes(set(), set()) == ([], [])


def test_tenant_sensor_adds_every_active_tenant(make_tenant, dagster_instance):
    tenant = make_tenant()
    context = dg.build_sensor_context(instance=dagster_instance, resources={"database": EarmarkDatabase()})
    result = tenant_partitions_sensor(context)
    added = [key for request in result.dynamic_partitions_requests
             if isinstance(request, dg.AddDynamicPartitionsRequest) for key in request.partition_keys]
    assert str(tenant.id) in added


def test_landing_sensor_requests_one_run_per_landed_file(landing, dagster_instance):
    tenant, folder = landing
    dagster_instance.add_dynamic_partitions(TENANTS_PARTITION, [str(tenant.id)])
    (folder / "a.csv").write_text("event_id\n")
    (folder / "notes.txt").write_text("not an event file")
    context = dg.build_sensor_context(instance=dagster_instance, resources={"database": EarmarkDatabase()})
    requests = [r for r in landing_sensor(context) if r.partition_key == str(tenant.id)]
    assert len(requests) == 1
    assert requests[0].run_config["ops"]["raw_events"]["config"]["paths"] == [str(folder / "a.csv")]
