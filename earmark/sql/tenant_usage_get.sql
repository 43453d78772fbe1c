-- This UTC month's counters (no row until something was counted).
select events_ingested, api_requests, storage_bytes
from app.tenant_usage
where tenant_id = %(tenant_id)s and period_start = date_trunc('month', now() at time zone 'UTC')::date
