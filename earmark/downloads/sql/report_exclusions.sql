-- Excluded requests per UTC date and reason under one window mode (the one asked for, else the tenant's
-- download_window), and their share of all that day's requests: counted ones have no row but are in the
-- denominator, so a day's shares and its counted share sum to 1. Reasons in their code order (R2, R6).
with chosen as (
    select coalesce(%(mode)s::text, (select download_window from app.tenant_settings), 'fixed') as mode
),

per_day as (
    select
        o.day,
        case when chosen.mode = 'rolling' then o.rolling_reason else o.fixed_reason end as code,
        count(*) as requests,
        sum(count(*)) over (partition by o.day) as day_requests
    from downloads.request_outcomes as o
    cross join chosen
    where (%(start)s::date is null or o.day >= %(start)s::date)
      and (%(end)s::date is null or o.day <= %(end)s::date)
    group by o.day, code
)

select
    per_day.day as date,
    reasons.name as reason,
    per_day.requests,
    per_day.requests::float8 / per_day.day_requests::float8 as share
from per_day
inner join downloads.reasons as reasons on reasons.code = per_day.code
order by per_day.day, per_day.code
