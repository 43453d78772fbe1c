-- Totals per model and channel over the conversion dates asked; row-level security scopes the tenant.
select
    model,
    channel,
    sum(conversions) as conversions,
    sum(revenue) as revenue
from analytics.fct_daily_channel_credits
where (%(start)s::date is null or conversion_date >= %(start)s::date)
  and (%(end)s::date is null or conversion_date <= %(end)s::date)
group by model, channel
order by array_position(
    array['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based'], model), channel
