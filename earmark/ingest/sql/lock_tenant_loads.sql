-- One load per tenant at a time: the anti-join in insert_events.sql relies on it.
select pg_advisory_xact_lock(hashtextextended('ingest:' || %(tenant_id)s::text, 0))
