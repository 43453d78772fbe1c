-- Each placement's weeks (Monday to Sunday, UTC) up to the night's day: spend and impressions as billed,
-- conversions and revenue attributed to it under the tenant's reporting model. Only whole weeks: a week
-- still running would read as a drop in response.
with settings as (
    select reporting_model from app.tenant_settings where tenant_id = %(tenant_id)s
),

last_week as (
    select (date_trunc('week', %(as_of)s::date + 1) - interval '7 days')::date as week_start
),

spend as (
    select placement_id, date_trunc('week', spend_date)::date as week_start, sum(spend)::float8 as spend,
        coalesce(sum(impressions), 0)::float8 as impressions
    from analytics.fct_daily_spend
    where tenant_id = %(tenant_id)s
    group by 1, 2
),

credits as (
    select credits.placement_id, date_trunc('week', credits.conversion_date)::date as week_start,
        sum(credits.conversions) as conversions, sum(credits.revenue) as revenue
    from analytics.fct_daily_show_credits as credits
    where credits.tenant_id = %(tenant_id)s and credits.model = (select reporting_model from settings)
    group by 1, 2
)

select placements.placement_id, placements.campaign_id, placements.show_id, placements.slot, placements.kind,
    spend.week_start, spend.spend, spend.impressions,
    coalesce(credits.conversions, 0) as conversions, coalesce(credits.revenue, 0) as revenue
from spend
join catalog.placements as placements
    on placements.tenant_id = %(tenant_id)s and placements.placement_id = spend.placement_id
left join credits on credits.placement_id = spend.placement_id and credits.week_start = spend.week_start
where spend.week_start <= (select week_start from last_week)
order by placements.placement_id, spend.week_start
