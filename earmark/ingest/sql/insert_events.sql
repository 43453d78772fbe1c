-- The stage holds only new event ids: service._without_loaded dropped the ones already loaded (no ON
-- CONFLICT: speculative insertion costs a quarter more per row), under the tenant's ingestion lock.
-- Sorted by the primary key, so index pages fill in order.
-- A promo code or vanity URL the catalog knows links the touch to its campaign and show (when the row
-- names none itself); codes and URLs are stored in the catalog's spelling (catalog.normalise_*), so one
-- imported later still links them in dbt.
insert into raw.events (
    tenant_id, event_id, user_id, occurred_at, event_type, channel, campaign_id, revenue, source,
    currency, show_id, episode_id, placement_id, promo_code, vanity_url, household_key, ip_sealed, user_agent,
    survey_answer, batch_id, loaded_at
)
select
    %(tenant_id)s, stage.event_id, stage.user_id,
    timestamptz 'epoch' + stage.occurred_at_us * interval '1 microsecond', stage.event_type, stage.channel,
    coalesce(stage.campaign_id, code.campaign_id, url.campaign_id), stage.revenue, stage.source,
    stage.currency, coalesce(stage.show_id, code.show_id, url.show_id), stage.episode_id, stage.placement_id,
    stage.normalised_code, stage.normalised_url, stage.household_key, stage.ip_sealed, stage.user_agent,
    stage.survey_answer, %(batch_id)s, %(loaded_at)s
from (
    select
        events_stage.*,
        catalog.normalise_code(events_stage.promo_code) as normalised_code,
        catalog.normalise_url(events_stage.vanity_url) as normalised_url
    from events_stage
) as stage
left join catalog.promo_codes as code
    on code.tenant_id = %(tenant_id)s and code.code = stage.normalised_code
left join catalog.vanity_urls as url
    on url.tenant_id = %(tenant_id)s and url.url = stage.normalised_url
order by stage.event_id
