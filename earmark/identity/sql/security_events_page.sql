-- Newest first, keyset-paginated by id.
select id, occurred_at, actor, action, request_id, details
from app.security_events
where tenant_id = %(tenant_id)s
  and (%(action)s::text is null or action = %(action)s::text)
  and (%(before_id)s::bigint is null or id < %(before_id)s::bigint)
order by id desc
limit %(limit)s
