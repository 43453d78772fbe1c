-- The whole chain of one tenant in order, with changes as the text the hash was computed over.
select seq, occurred_at, actor, action, target, request_id, changes::text as changes, prev_hash, hash
from app.audit_log
where tenant_id = %(tenant_id)s
order by seq
