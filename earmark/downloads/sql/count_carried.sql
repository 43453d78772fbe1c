-- The rolling state the day before a counting window left behind (counting.py): its requests still pending
-- at its end (below_threshold, or counted by a download the window's first day qualified), kind 1, and the
-- downloads it opened whose 24 h reach into the window, kind 2 (their qualifying request).
copy (
    select r.request_id, floor(extract(epoch from r.ts) * 1000)::bigint, r.method, r.status, r.ip_key,
        r.address_id, r.ua_id, r.url_id, r.range_kind, r.range_a, r.range_b, r.bytes_sent,
        case when d.download_id is not null then 2 else 1 end::smallint
    from downloads.request_outcomes as o
    join downloads.requests as r on r.tenant_id = o.tenant_id and r.request_id = o.request_id
    left join downloads.downloads as d
        on d.tenant_id = o.tenant_id and d.day = o.day and d.mode = 'rolling' and d.download_id = o.request_id
        and d.qualified_at > %(window_start)s - interval '24 hours'
    where o.tenant_id = %(tenant_id)s and o.day = %(day)s
      and (o.rolling_reason = 9 or (o.rolling_reason = 0 and o.rolling_download_day > o.day)
           or d.download_id is not null)
) to stdout (format csv)
