-- One request-log load per tenant at a time: the duplicate check and the partition's creation rely on it.
select pg_advisory_xact_lock(hashtextextended('downloads-ingest:' || %(tenant_id)s::text, 0))
