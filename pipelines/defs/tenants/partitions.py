"""The tenant partition set outside a sensor tick: `earmark run` adds the tenants it is about to run."""

import dagster as dg

from pipelines.defs.partitions import TENANTS_PARTITION


def ensure_tenant_partitions(inst: dg.DagsterInstance, tenant_ids: list[str]) -> None:
    known = set(inst.get_dynamic_partitions(TENANTS_PARTITION))
    missing = [t for t in tenant_ids if t not in known]
    if missing:
        inst.add_dynamic_partitions(TENANTS_PARTITION, missing)
