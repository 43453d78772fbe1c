-- Campaign credit; a null start or end leaves that side of the window open.
select channel, campaign_id, sum(conversions) as conversions, sum(revenue) as revenue
from analytics.fct_daily_channel_credits
where model = %(model)s
  and (%(start)s::date is null or conversion_date >= %(start)s::date)
  and (%(end)s::date is null or conversion_date <= %(end)s::date)
group by channel, campaign_id
order by conversions desc, channel, campaign_id
