-- What each campaign cost and earned under one model (the one asked for, else the tenant's reporting_model)
-- over the days asked (a null start or end leaves that side open), per currency: spend, impressions,
-- attributed conversions and revenue, and the ratios divided from them (null when the divisor is zero).
-- Row-level security scopes every table to the transaction's tenant. Read by the API and the export.
with totals as (
    select
        currency,
        campaign_id,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(conversions) as conversions,
        sum(revenue) as revenue
    from analytics.fct_daily_economics
    where model = coalesce(%(model)s::text, (select reporting_model from app.tenant_settings))
      and (%(start)s::date is null or day >= %(start)s::date)
      and (%(end)s::date is null or day <= %(end)s::date)
    group by currency, campaign_id
)

select
    coalesce(%(model)s::text, (select reporting_model from app.tenant_settings)) as model,
    totals.campaign_id,
    campaigns.name as campaign_name,
    campaigns.advertiser_id,
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
left join catalog.campaigns as campaigns on campaigns.campaign_id = totals.campaign_id
order by totals.currency, totals.spend desc, totals.conversions desc, totals.campaign_id
