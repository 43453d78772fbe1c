-- One tenant's requests in [start, stop), in the columns earmark.downloads.counting reads; data-centre
-- verdicts come from count_addresses.sql and are joined in memory (a hash join of every request with
-- every address here was half of this read: bench/RESULTS.md).
copy (
    select r.request_id, floor(extract(epoch from r.ts) * 1000)::bigint, r.method, r.status, r.ip_key,
        r.address_id, r.ua_id, r.url_id, r.range_kind, r.range_a, r.range_b, r.bytes_sent, %(kind)s::smallint
    from downloads.requests as r
    where r.tenant_id = %(tenant_id)s and r.ts >= %(start)s and r.ts < %(stop)s
) to stdout (format csv)
