-- A worker's batched request count for one tenant: added to the UTC day's count (the cost ledger's API
-- usage) and the month's (returned, for quota checks).
with daily as (
    insert into app.tenant_usage_daily as d (tenant_id, usage_date, api_requests)
    values (%(tenant_id)s, (now() at time zone 'UTC')::date, %(requests)s)
    on conflict (tenant_id, usage_date) do update set api_requests = d.api_requests + excluded.api_requests
)
insert into app.tenant_usage as u (tenant_id, period_start, api_requests)
values (%(tenant_id)s, date_trunc('month', now() at time zone 'UTC')::date, %(requests)s)
on conflict (tenant_id, period_start) do update
set api_requests = u.api_requests + excluded.api_requests, updated_at = now()
returning api_requests
