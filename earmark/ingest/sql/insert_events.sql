-- event_id is the idempotency key: a row already loaded (earlier file) changes nothing.
insert into raw.events (
    tenant_id, event_id, user_id, occurred_at, event_type, channel, campaign_id, revenue, source,
    currency, batch_id
)
select
    %(tenant_id)s, event_id, user_id, occurred_at, event_type, channel, campaign_id, revenue, source,
    currency, %(batch_id)s
from events_stage
on conflict (tenant_id, event_id) do nothing
