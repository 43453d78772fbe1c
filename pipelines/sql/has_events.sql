-- Whether there is anything to attribute, for one tenant or all.
select exists (
    select from raw.events
    where %(tenant_id)s::uuid is null or tenant_id = %(tenant_id)s::uuid
)
