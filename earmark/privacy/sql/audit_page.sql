-- One page of a tenant's audit log, newest first, after the cursor's seq; filters are optional.
select seq, occurred_at, actor, action, target, request_id, changes, hash
from app.audit_log
where tenant_id = %(tenant_id)s
  and (%(before_seq)s::bigint is null or seq < %(before_seq)s::bigint)
  and (%(action)s::text is null or action = %(action)s::text)
  and (%(since)s::timestamptz is null or occurred_at >= %(since)s::timestamptz)
  and (%(until)s::timestamptz is null or occurred_at < %(until)s::timestamptz)
order by seq desc
limit %(limit)s
