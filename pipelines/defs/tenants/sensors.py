"""`tenant_partitions_sensor`: the dynamic partition set mirrors the active tenants."""

import dagster as dg

from pipelines.defs.partitions import TENANTS_PARTITION, tenant_partitions
from pipelines.resources import EarmarkDatabase


def partition_changes(active: set[str], known: set[str]) -> tuple[list[str], list[str]]:
    """Tenants to add to and to remove from the partition set."""
    return sorted(active - known), sorted(known - active)


@dg.sensor(minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def tenant_partitions_sensor(context: dg.SensorEvaluationContext,
                             database: EarmarkDatabase) -> dg.SensorResult:
    known = set(context.instance.get_dynamic_partitions(TENANTS_PARTITION))
    added, removed = partition_changes(set(database.active_tenant_ids()), known)
    requests = []
    if added:
        requests.append(tenant_partitions.build_add_request(added))
    if removed:
        requests.append(tenant_partitions.build_delete_request(removed))
    return dg.SensorResult(dynamic_partitions_requests=requests)
