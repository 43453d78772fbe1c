"""Automation domain: the tenant partition set and the nightly attribution schedule."""

from pipelines.defs.automation.schedules import attribution_job, nightly_attribution_schedule
from pipelines.defs.automation.sensors import tenant_partitions_sensor

__all__ = ["attribution_job", "nightly_attribution_schedule", "tenant_partitions_sensor"]
