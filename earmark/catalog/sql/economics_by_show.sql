-- What each show cost and earned under one model (the one asked for, else the tenant's reporting_model)
-- over the days asked, per currency (a show bought in two currencies has a row in each): spend,
-- impressions, attributed conversions and revenue, and the ratios (null when the divisor is zero).
with totals as (
    select
        currency,
        show_id,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(conversions) as conversions,
        sum(revenue) as revenue
    from analytics.fct_daily_economics
    where model = coalesce(%(model)s::text, (select reporting_model from app.tenant_settings))
      and (%(start)s::date is null or day >= %(start)s::date)
      and (%(end)s::date is null or day <= %(end)s::date)
    group by currency, show_id
)

select
    coalesce(%(model)s::text, (select reporting_model from app.tenant_settings)) as model,
    totals.show_id,
    shows.title,
    totals.currency,
    totals.spend::float8 as spend,
    totals.impressions::bigint as impressions,
    totals.conversions,
    totals.revenue,
    catalog.ratio(totals.spend, totals.conversions::numeric) as cpa,
    catalog.ratio(totals.revenue::numeric, totals.spend) as roas,
    catalog.ratio(totals.spend * 1000, totals.impressions) as cpm,
    catalog.ratio(totals.conversions::numeric * 1000, totals.impressions) as conversions_per_mille
from totals
left join catalog.shows as shows on shows.show_id = totals.show_id
order by totals.currency, totals.spend desc, totals.conversions desc, totals.show_id
