-- Every counted download with its show and ISO week: the listening that lift's groups are drawn from.
select d.download_id, d.ip_key as household_key, d.qualified_at, e.show_id,
       date_trunc('week', d.qualified_at at time zone 'UTC')::date as week
from downloads.downloads d
join catalog.episodes e on e.tenant_id = d.tenant_id and e.episode_id = d.episode_id
where d.tenant_id = %(tenant_id)s and d.mode = %(mode)s
