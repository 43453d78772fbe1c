-- Per campaign and show over the days asked (exposure days; a null start or end leaves that side open): the
-- delivered ads, how many matched a visit, the distinct users matched, and those users' share of every
-- user the site pixel saw in the same days. RLS scopes the tenant.
with exposure as (
    select campaign_id, show_id, sum(exposures) as exposures, sum(eligible) as eligible, sum(matched) as matched
    from households.exposure_days
    where (%(start)s::date is null or day >= %(start)s::date) and (%(end)s::date is null or day <= %(end)s::date)
    group by 1, 2
),

visitors as (
    select campaign_id, show_id, count(distinct user_id) as matched_visitors
    from households.matches
    where (%(start)s::date is null or exposed_at >= %(start)s::date)
      and (%(end)s::date is null or exposed_at < %(end)s::date + 1)
    group by 1, 2
),

pixel as (
    select count(distinct user_id) as pixel_visitors
    from raw.events
    where household_key is not null
      and (%(start)s::date is null or occurred_at >= %(start)s::date)
      and (%(end)s::date is null or occurred_at < %(end)s::date + 1)
)

select exposure.campaign_id, exposure.show_id, exposure.exposures, exposure.eligible, exposure.matched,
       exposure.matched::double precision / nullif(exposure.exposures, 0) as match_rate,
       coalesce(visitors.matched_visitors, 0) as matched_visitors, pixel.pixel_visitors,
       coalesce(visitors.matched_visitors, 0)::double precision / nullif(pixel.pixel_visitors, 0)
           as visitor_match_rate
from exposure
cross join pixel
left join visitors on visitors.campaign_id = exposure.campaign_id and visitors.show_id = exposure.show_id
order by exposure.exposures desc, exposure.campaign_id, exposure.show_id
limit 10000
