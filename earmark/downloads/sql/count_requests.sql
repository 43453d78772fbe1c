-- One tenant's requests in [start, stop), in the columns earmark.downloads.counting reads.
copy (
    select r.request_id, floor(extract(epoch from r.ts) * 1000)::bigint, r.method, r.status, r.ip_key,
        a.in_datacenter::int, r.ua_id, r.url_id, r.range_kind, r.range_a, r.range_b, r.bytes_sent, %(kind)s::smallint
    from downloads.requests as r
    join downloads.addresses as a on a.tenant_id = r.tenant_id and a.address_id = r.address_id
    where r.tenant_id = %(tenant_id)s and r.ts >= %(start)s and r.ts < %(stop)s
) to stdout (format csv)
