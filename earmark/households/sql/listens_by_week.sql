-- Every household's first download per show and ISO week (the pool control households come from).
select d.ip_key as household_key, e.show_id, date_trunc('week', d.qualified_at at time zone 'UTC')::date as week,
       min(d.qualified_at) as first_at
from downloads.downloads d
join catalog.episodes e on e.tenant_id = d.tenant_id and e.episode_id = d.episode_id
where d.tenant_id = %(tenant_id)s and d.mode = %(mode)s
group by 1, 2, 3
