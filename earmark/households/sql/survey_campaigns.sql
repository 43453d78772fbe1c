select p.campaign_id, p.show_id, c.advertiser_id, coalesce(p.starts_on, c.starts_on) as starts_on,
       coalesce(p.ends_on, c.ends_on) as ends_on
from catalog.placements p
join catalog.campaigns c on c.tenant_id = p.tenant_id and c.campaign_id = p.campaign_id
where p.tenant_id = %(tenant_id)s
