insert into raw.events (tenant_id, event_id, user_id, occurred_at, event_type, channel, campaign_id, revenue,
    source, currency, show_id, episode_id, placement_id, promo_code, vanity_url, batch_id)
select tenant_id, event_id, user_id, occurred_at, event_type, channel, campaign_id, revenue, source, currency,
    show_id, episode_id, placement_id, promo_code, vanity_url, batch_id
from events_staged
