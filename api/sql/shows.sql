-- Show credit over the conversion dates asked (a null start or end leaves that side open), with each show's
-- share within them, under the model asked for or else the tenant's reporting_model. '(none)' holds touches
-- without a show and empty paths, so the shows' conversions sum to the tenant's.
with by_show as (
    select show_id, sum(conversions) as conversions, sum(revenue) as revenue
    from analytics.fct_daily_show_credits
    where model = coalesce(%(model)s::text, (select reporting_model from app.tenant_settings))
      and (%(start)s::date is null or conversion_date >= %(start)s::date)
      and (%(end)s::date is null or conversion_date <= %(end)s::date)
    group by show_id
)
select
    by_show.show_id,
    shows.title,
    by_show.conversions,
    by_show.revenue,
    coalesce(by_show.conversions / nullif(sum(by_show.conversions) over (), 0), 0) as conversion_share,
    coalesce(by_show.revenue / nullif(sum(by_show.revenue) over (), 0), 0) as revenue_share
from by_show
left join catalog.shows as shows on shows.show_id = by_show.show_id
order by by_show.conversions desc, by_show.show_id
