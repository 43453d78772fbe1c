-- The incoming ids already loaded: duplicates, which the caller drops before staging.
copy (
    select incoming.event_id
    from incoming_ids as incoming
    where exists (
        select from raw.events as loaded
        where loaded.tenant_id = %(tenant_id)s and loaded.event_id = incoming.event_id
    )
) to stdout (format csv)
