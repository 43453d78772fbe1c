-- What a day hands to the next in rolling mode, as one digest over every tenant: exactly the rows
-- count_carried.sql reads for the next day (requests still pending at the day's end, kind 1, and the
-- qualifying requests of downloads whose 24 h reach past it, kind 2). A recount that changes it must
-- recount the next day too; one that leaves it alone cannot change the next day's count.
select md5(coalesce(string_agg(
        o.tenant_id::text || ':' || o.request_id || ':' || case when d.download_id is not null then '2' else '1' end,
        ',' order by o.tenant_id, o.request_id), ''))
from downloads.request_outcomes as o
left join downloads.downloads as d
    on d.tenant_id = o.tenant_id and d.day = o.day and d.mode = 'rolling' and d.download_id = o.request_id
    and d.qualified_at > %(day)s::timestamp at time zone 'UTC'
where o.day = %(day)s
  and (o.rolling_reason = 9 or (o.rolling_reason = 0 and o.rolling_download_day > o.day)
       or d.download_id is not null)
