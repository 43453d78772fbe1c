-- The tenant's partition, empty and not yet attached, its defaults stamping this load (migration 0016).
select raw.create_events_partition(%(tenant_id)s, %(batch_id)s, %(loaded_at)s)
