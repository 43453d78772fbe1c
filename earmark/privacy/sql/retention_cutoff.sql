-- The tenant's raw-data retention and its cutoff: the start of the UTC day `raw_retention_months` calendar
-- months before the run's day (a month end clamps: 2026-03-31 minus one month is 2026-02-28).
select raw_retention_months, (%(today)s::date - make_interval(months => raw_retention_months))::date
from app.tenant_settings
where tenant_id = %(tenant_id)s
