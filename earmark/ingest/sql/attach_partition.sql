-- Row-level security on, the load's grant and defaults off, then ATTACH: it checks every row is the
-- tenant's and builds the partition's indexes from its rows (migration 0016).
select raw.attach_events_partition(%(tenant_id)s)
