insert into app.tenant_usage (tenant_id, period_start, events_ingested, storage_bytes)
values (%(tenant_id)s, date_trunc('month', now() at time zone 'UTC')::date, %(events)s, %(bytes)s)
on conflict (tenant_id, period_start) do update set
    events_ingested = app.tenant_usage.events_ingested + excluded.events_ingested,
    storage_bytes = app.tenant_usage.storage_bytes + excluded.storage_bytes,
    updated_at = now()
