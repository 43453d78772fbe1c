select downloads.episode_id as value, downloads.day, count(*)::float8 as amount
from downloads.downloads
join app.tenant_settings as settings
    on settings.tenant_id = downloads.tenant_id and settings.download_window = downloads.mode
join catalog.episodes as episodes
    on episodes.tenant_id = downloads.tenant_id and episodes.episode_id = downloads.episode_id
where downloads.tenant_id = %(tenant_id)s and episodes.show_id = %(entity_id)s
    and downloads.day between %(start)s and %(end)s
group by 1, 2
