-- Every delivered ad of a sold slot, in the tenant's default window mode: one exposure of the listener's
-- household (its IP key) at the time its download qualified.
select d.download_id, a.ad_id, d.ip_key as household_key, d.qualified_at as exposed_at, d.day, d.episode_id,
       s.placement_id, p.campaign_id, coalesce(p.show_id, e.show_id) as show_id
from downloads.delivered_ads a
join downloads.downloads d
    on d.tenant_id = a.tenant_id and d.day = a.day and d.mode = a.mode and d.download_id = a.download_id
join catalog.ad_slots s on s.tenant_id = a.tenant_id and s.ad_id = a.ad_id
join catalog.placements p on p.tenant_id = s.tenant_id and p.placement_id = s.placement_id
left join catalog.episodes e on e.tenant_id = d.tenant_id and e.episode_id = d.episode_id
where a.tenant_id = %(tenant_id)s and a.mode = %(mode)s
