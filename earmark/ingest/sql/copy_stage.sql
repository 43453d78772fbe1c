copy events_stage (event_id, user_id, occurred_at_us, event_type, channel, campaign_id, revenue, source,
    currency, show_id, episode_id, placement_id, promo_code, vanity_url) from stdin (format csv)
