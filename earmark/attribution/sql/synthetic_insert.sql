insert into raw.events (tenant_id, event_id, user_id, occurred_at, event_type, channel, campaign_id, revenue,
    source, currency, batch_id)
select tenant_id, event_id, user_id, occurred_at, event_type, channel, campaign_id, revenue, source, currency,
    batch_id
from events_staged
