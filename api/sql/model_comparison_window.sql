select channel, model, sum(conversions) as conversions, sum(revenue) as revenue
from analytics.fct_daily_channel_credits
where conversion_date between %(start)s and %(end)s
group by channel, model
order by channel, model
