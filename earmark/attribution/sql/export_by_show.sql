-- Totals per model and show over the conversion dates asked; row-level security scopes the tenant.
-- '(none)' holds touches without a show and empty paths, so each model's shows sum to its conversions.
select
    credits.model,
    credits.show_id,
    shows.title,
    sum(credits.conversions) as conversions,
    sum(credits.revenue) as revenue
from analytics.fct_daily_show_credits as credits
left join catalog.shows as shows on shows.show_id = credits.show_id
where (%(start)s::date is null or credits.conversion_date >= %(start)s::date)
  and (%(end)s::date is null or credits.conversion_date <= %(end)s::date)
group by credits.model, credits.show_id, shows.title
order by array_position(
    array['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based'], credits.model),
    conversions desc, credits.show_id
