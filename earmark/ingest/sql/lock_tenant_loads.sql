-- One load per tenant at a time: the anti-join in insert_events.sql relies on it, and so does the
-- creation of the tenant's partition (raw.create_events_partition takes the same lock).
select pg_advisory_xact_lock(hashtextextended('ingest:' || %(tenant_id)s::text, 0))
