select distinct p.campaign_id
from downloads.delivered_ads a
join catalog.ad_slots s on s.tenant_id = a.tenant_id and s.ad_id = a.ad_id
join catalog.placements p on p.tenant_id = s.tenant_id and p.placement_id = s.placement_id
where a.tenant_id = %(tenant_id)s and a.mode = %(mode)s
order by 1
