-- event_id is the idempotency key: a row already loaded (earlier file) changes nothing.
-- An anti-join instead of ON CONFLICT: speculative insertion costs a quarter more per row, and the
-- caller holds the tenant's ingestion lock, so no concurrent load can slip in between.
-- Sorted by the primary key, so index pages fill in order.
insert into raw.events (
    tenant_id, event_id, user_id, occurred_at, event_type, channel, campaign_id, revenue, source,
    currency, batch_id, loaded_at
)
select
    %(tenant_id)s, stage.event_id, stage.user_id,
    timestamptz 'epoch' + stage.occurred_at_us * interval '1 microsecond', stage.event_type, stage.channel,
    stage.campaign_id, stage.revenue, stage.source, stage.currency, %(batch_id)s, %(loaded_at)s
from events_stage as stage
where not exists (
    select from raw.events as loaded
    where loaded.tenant_id = %(tenant_id)s and loaded.event_id = stage.event_id
)
order by stage.event_id
