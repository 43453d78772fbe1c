-- The households a campaign's delivered ads reached, per show and ISO week, with the first exposure there.
select d.ip_key as household_key, coalesce(p.show_id, e.show_id) as show_id,
       date_trunc('week', d.qualified_at at time zone 'UTC')::date as week, min(d.qualified_at) as first_at
from downloads.delivered_ads a
join downloads.downloads d
    on d.tenant_id = a.tenant_id and d.day = a.day and d.mode = a.mode and d.download_id = a.download_id
join catalog.ad_slots s on s.tenant_id = a.tenant_id and s.ad_id = a.ad_id
join catalog.placements p on p.tenant_id = s.tenant_id and p.placement_id = s.placement_id
left join catalog.episodes e on e.tenant_id = d.tenant_id and e.episode_id = d.episode_id
where a.tenant_id = %(tenant_id)s and a.mode = %(mode)s and p.campaign_id = %(campaign_id)s
group by 1, 2, 3
