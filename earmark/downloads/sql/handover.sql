-- What a day hands to the next in rolling mode, as one digest: a recount that changes it must recount the
-- next day too.
select md5(coalesce(string_agg(o.request_id || ':' || o.rolling_reason || ':' || coalesce(o.rolling_download, ''),
                               ',' order by o.tenant_id, o.request_id), ''))
from downloads.request_outcomes as o
where o.day = %(day)s
