-- The model: the one asked for, else the tenant's reporting_model.
-- Campaign credit; a null start or end leaves that side of the window open.
select channel, campaign_id, sum(conversions) as conversions, sum(revenue) as revenue
from analytics.fct_daily_channel_credits
where model = coalesce(%(model)s::text, (select reporting_model from app.tenant_settings))
  and (%(start)s::date is null or conversion_date >= %(start)s::date)
  and (%(end)s::date is null or conversion_date <= %(end)s::date)
group by channel, campaign_id
order by conversions desc, channel, campaign_id
