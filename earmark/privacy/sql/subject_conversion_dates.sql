-- The conversion dates of these user ids: attribution paths are per user, so they are the only dates whose
-- derived rows an erasure or a re-keying of these users changes.
select distinct (occurred_at at time zone 'UTC')::date as day
from raw.events
where tenant_id = %(tenant_id)s and user_id = any(%(user_ids)s) and event_type = 'conversion'
order by 1
