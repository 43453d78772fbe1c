-- A tenant's data-centre verdict per address, joined to its requests in memory (counted.py).
copy (
    select address_id, in_datacenter::int from downloads.addresses where tenant_id = %(tenant_id)s
) to stdout (format csv)
