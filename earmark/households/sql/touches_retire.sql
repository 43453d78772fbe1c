-- A touch Earmark no longer makes leaves the stream as a suppressed row, so its dates are recomputed once.
with gone as (
    delete from households.signal_touches
    where tenant_id = %(tenant_id)s and not (event_id = any(%(keep)s))
    returning tenant_id, event_id, user_id, occurred_at, kind
)
insert into households.suppressed as s (tenant_id, event_id, user_id, occurred_at, origin, dropped_kind)
select tenant_id, event_id, user_id, occurred_at, 'earmark', kind from gone
on conflict (tenant_id, event_id) do update set suppressed_at = now()
