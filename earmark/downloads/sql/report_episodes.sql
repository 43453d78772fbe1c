-- Downloads per episode and UTC date under one window mode (the one asked for, else the tenant's
-- download_window), and listeners: distinct (IP key, user agent) with at least one of those downloads (R7).
select
    d.episode_id,
    d.day as date,
    count(*) as downloads,
    count(distinct (d.ip_key, d.ua_id)) as listeners
from downloads.downloads as d
where d.mode = coalesce(%(mode)s::text, (select download_window from app.tenant_settings), 'fixed')
  and (%(start)s::date is null or d.day >= %(start)s::date)
  and (%(end)s::date is null or d.day <= %(end)s::date)
group by d.day, d.episode_id
order by d.day, d.episode_id
