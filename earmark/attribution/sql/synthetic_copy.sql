copy events_staged (tenant_id, event_id, user_id, occurred_at, event_type, channel, campaign_id, revenue,
    source, currency, batch_id) from stdin (format csv)
