-- Straight into the tenant's new, unattached partition (it has no row-level security until it is
-- attached, in this transaction); tenant_id, batch_id and loaded_at come from its defaults. The columns:
-- event_id, user_id, occurred_at, event_type, channel, campaign_id, revenue, source, currency, show_id,
-- episode_id, placement_id, and household_key, ip_sealed, user_agent, survey_answer when the file has them.
copy {partition} ({columns}) from stdin (format csv, freeze)
