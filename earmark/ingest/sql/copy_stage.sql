copy events_stage (event_id, user_id, occurred_at_us, event_type, channel, campaign_id, revenue, source,
    currency) from stdin (format csv)
