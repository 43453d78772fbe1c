-- A worker's batched request count for one tenant and month; returns the month's total for quota checks.
insert into app.tenant_usage as u (tenant_id, period_start, api_requests)
values (%(tenant_id)s, date_trunc('month', now() at time zone 'UTC')::date, %(requests)s)
on conflict (tenant_id, period_start) do update
set api_requests = u.api_requests + excluded.api_requests, updated_at = now()
returning api_requests
