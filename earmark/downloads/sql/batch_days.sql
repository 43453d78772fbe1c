-- The days a tenant's loaded request logs span, inside a window: days Earmark has the logs for, requests or
-- not (a quiet day inside a log's span is counted as zero, not left looking uncounted).
select distinct day::date
from downloads.batches as b
cross join lateral generate_series(greatest(b.first_day, %(first)s::date), least(b.last_day, %(last)s::date),
                                   interval '1 day') as day
where b.tenant_id = %(tenant_id)s and b.status = 'succeeded' and b.loaded > 0
