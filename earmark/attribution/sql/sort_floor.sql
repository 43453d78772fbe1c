-- The floor of a full recompute: one sort of the tenant's events by the engine's window keys, nothing else.
explain (analyze, timing off, format json)
select user_id collate "C", tenant_id, occurred_at, event_type, event_id collate "C"
from raw.events
where tenant_id = %(tenant_id)s
order by 1, 2, 3, 4, 5
