-- What counting decided for each request of the UTC dates asked, under one window mode (the one asked
-- for, else the tenant's download_window): counted or excluded, the reason's name (null when counted), and
-- the download it belongs to (counted and duplicate_in_window; null otherwise). In (date, request_id) order.
with chosen as (
    select coalesce(%(mode)s::text, (select download_window from app.tenant_settings), 'fixed') as mode
),

decided as (
    select
        o.day,
        o.request_id,
        case when chosen.mode = 'rolling' then o.rolling_reason else o.fixed_reason end as code,
        case when chosen.mode = 'rolling' then o.rolling_download else o.fixed_download end as download_id
    from downloads.request_outcomes as o
    cross join chosen
    where (%(start)s::date is null or o.day >= %(start)s::date)
      and (%(end)s::date is null or o.day <= %(end)s::date)
)

select
    decided.request_id,
    case when decided.code = 0 then 'counted' else 'excluded' end as outcome,
    reasons.name as reason,
    decided.download_id
from decided
left join downloads.reasons as reasons on reasons.code = decided.code
order by decided.day, decided.request_id
