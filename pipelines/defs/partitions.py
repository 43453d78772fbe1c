"""Partitions shared across domains: tenants (a dynamic set kept by a sensor) and UTC days."""

from datetime import date

import dagster as dg

TENANTS_PARTITION = "tenants"

tenant_partitions = dg.DynamicPartitionsDefinition(name=TENANTS_PARTITION)

# Days are UTC; the tenant lives in the data (tenant_id + RLS), not in the partition key, so the
# partition count stays small however many tenants there are.
FIRST_DAY = date(2020, 1, 1)
daily_partitions = dg.DailyPartitionsDefinition(start_date=FIRST_DAY.isoformat(), timezone="UTC",
                                                end_offset=1)
