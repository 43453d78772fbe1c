-- Whether the tenant's partition of raw.events exists (migration 0016): from its first load on.
select to_regclass('raw.' || quote_ident(raw.events_partition_name(%(tenant_id)s))) is not null
