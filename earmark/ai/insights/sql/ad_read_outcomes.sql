-- Each ad read checked against its campaign, with what followed its episode's release: conversions
-- attributed (reporting model) to the campaign on the episode's show in the 7 days from the release, per
-- 1,000 impressions delivered on them. A read whose episode has no release time or no impressions then
-- has no outcome.
with settings as (
    select reporting_model from app.tenant_settings where tenant_id = %(tenant_id)s
),

reads as (
    select reads.episode_id, reads.seq, reads.campaign_id, episodes.show_id, reads.code_said, reads.url_said,
        reads.url_repeats, reads.cta, reads.position, (episodes.published_at at time zone 'UTC')::date as released
    from ai.ad_reads as reads
    join catalog.episodes as episodes
        on episodes.tenant_id = reads.tenant_id and episodes.episode_id = reads.episode_id
    where reads.tenant_id = %(tenant_id)s and reads.campaign_id is not null
        and episodes.published_at is not null
        and reads.kind in ('host_read', 'produced', 'dynamic_insert')
)

select reads.episode_id, reads.seq, reads.campaign_id, reads.show_id, reads.code_said, reads.url_said,
    reads.url_repeats, reads.cta, reads.position, reads.released,
    1000.0 * coalesce(credits.conversions, 0) / nullif(delivered.impressions, 0) as outcome
from reads
left join lateral (
    select sum(conversions) as conversions
    from analytics.fct_daily_show_credits
    where tenant_id = %(tenant_id)s and model = (select reporting_model from settings)
        and campaign_id = reads.campaign_id and show_id = reads.show_id
        and conversion_date >= reads.released and conversion_date < reads.released + 7
) as credits on true
left join lateral (
    select sum(impressions)::float8 as impressions
    from analytics.fct_daily_spend
    where tenant_id = %(tenant_id)s and campaign_id = reads.campaign_id and show_id = reads.show_id
        and spend_date >= reads.released and spend_date < reads.released + 7
) as delivered on true
where reads.released <= %(as_of)s::date - 7
order by reads.episode_id, reads.seq
