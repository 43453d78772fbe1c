-- Channel credit for conversions between two dates (inclusive), shares within that window.
with by_channel as (
    select channel, sum(conversions) as conversions, sum(revenue) as revenue
    from analytics.fct_daily_channel_credits
    where model = coalesce(%(model)s::text, (select reporting_model from app.tenant_settings))
      and conversion_date between %(start)s and %(end)s
    group by channel
)
select
    channel,
    conversions,
    revenue,
    coalesce(conversions / nullif(sum(conversions) over (), 0), 0) as conversion_share,
    coalesce(revenue / nullif(sum(revenue) over (), 0), 0) as revenue_share
from by_channel
order by conversions desc, channel
