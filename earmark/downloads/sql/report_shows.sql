-- Downloads per show and UTC date under one window mode (the one asked for, else the tenant's
-- download_window); listeners are distinct (IP key, user agent) across the show's episodes that day (R7).
-- A download of an episode the catalog no longer holds is under show '(unknown)', not dropped.
select
    coalesce(e.show_id, '(unknown)') as show_id,
    d.day as date,
    count(*) as downloads,
    count(distinct (d.ip_key, d.ua_id)) as listeners
from downloads.downloads as d
left join catalog.episodes as e on e.tenant_id = d.tenant_id and e.episode_id = d.episode_id
where d.mode = coalesce(%(mode)s::text, (select download_window from app.tenant_settings), 'fixed')
  and (%(start)s::date is null or d.day >= %(start)s::date)
  and (%(end)s::date is null or d.day <= %(end)s::date)
group by d.day, coalesce(e.show_id, '(unknown)')
order by d.day, coalesce(e.show_id, '(unknown)')
