"""Tenants domain: the dynamic partition set of tenants, kept in step with app.tenants by a sensor."""

from pipelines.defs.tenants.partitions import ensure_tenant_partitions
from pipelines.defs.tenants.sensors import tenant_partitions_sensor

__all__ = ["ensure_tenant_partitions", "tenant_partitions_sensor"]
