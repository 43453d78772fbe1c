select date_trunc('month', now() at time zone 'UTC')::date as period_start,
    coalesce(u.events_ingested, 0) as events_ingested,
    coalesce(u.api_requests, 0) as api_requests,
    coalesce(u.storage_bytes, 0) as storage_bytes
from (select 1) as one
left join app.tenant_usage u
    on u.tenant_id = %(tenant_id)s and u.period_start = date_trunc('month', now() at time zone 'UTC')::date
