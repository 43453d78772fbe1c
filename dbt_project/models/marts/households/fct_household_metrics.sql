{{ config(indexes=[{'columns': ['tenant_id', 'campaign_id', 'day']}]) }}
{#
  What podcast attribution vendors report, per campaign x show x UTC day, and per model where credit
  applies (README "Households"):
    impressions       delivered ads Earmark counted (IAB v2.2) of the campaign on the show
    reach             distinct households (IP keys) among them that day; not additive across days or shows
    frequency         impressions / reach
    eligible          impressions to residential, unshared households (the only ones that can match)
    matched           impressions matched to a visit of the same household within the window
    match_rate        matched / impressions
    matched_visitors  distinct users whose visit matched an impression of that day
    visit_rate        matched_visitors / reach
    spend, conversions, revenue   the economics marts' (fct_daily_economics) for the day, campaign and show
    cost_per_visitor  spend / matched_visitors; cpa = spend / conversions; roas = revenue / spend
  Ratios are null where the divisor is zero.
#}

with exposure as (
    select * from {{ ref('stg_households__exposure_days') }}
),

visitors as (
    select tenant_id, exposed_on as day, campaign_id, show_id, count(distinct user_id) as matched_visitors
    from {{ ref('stg_households__matches') }}
    group by 1, 2, 3, 4
),

economics as (
    select tenant_id, day, model, campaign_id, show_id, sum(spend) as spend, sum(conversions) as conversions,
           sum(revenue) as revenue
    from {{ ref('fct_daily_economics') }}
    group by 1, 2, 3, 4, 5
),

models as (
    select distinct tenant_id, model from economics
)

select
    exposure.tenant_id,
    exposure.day,
    models.model,
    exposure.campaign_id,
    exposure.show_id,
    exposure.exposures as impressions,
    exposure.households as reach,
    exposure.exposures::double precision / nullif(exposure.households, 0) as frequency,
    exposure.eligible,
    exposure.matched,
    exposure.matched::double precision / nullif(exposure.exposures, 0) as match_rate,
    coalesce(visitors.matched_visitors, 0) as matched_visitors,
    coalesce(visitors.matched_visitors, 0)::double precision / nullif(exposure.households, 0) as visit_rate,
    economics.spend,
    economics.conversions,
    economics.revenue,
    economics.spend::double precision / nullif(visitors.matched_visitors, 0) as cost_per_visitor,
    economics.spend::double precision / nullif(economics.conversions, 0) as cpa,
    economics.revenue / nullif(economics.spend::double precision, 0) as roas
from exposure
join models on models.tenant_id = exposure.tenant_id
left join visitors
    on visitors.tenant_id = exposure.tenant_id and visitors.day = exposure.day
    and visitors.campaign_id = exposure.campaign_id and visitors.show_id = exposure.show_id
left join economics
    on economics.tenant_id = exposure.tenant_id and economics.day = exposure.day
    and economics.model = models.model and economics.campaign_id = exposure.campaign_id
    and economics.show_id = exposure.show_id
