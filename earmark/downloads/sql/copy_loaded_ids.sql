-- The incoming ids already loaded for the tenant: duplicates, dropped before anything is written.
copy (
    select incoming.request_id
    from incoming_request_ids as incoming
    where exists (select from downloads.requests as loaded
                  where loaded.tenant_id = %(tenant_id)s and loaded.request_id = incoming.request_id)
) to stdout (format csv)
