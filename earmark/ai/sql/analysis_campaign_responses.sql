-- Per advertiser, its campaigns (latest first) and the codes and URLs they gave hosts to say; a code or URL
-- of one show applies only to that show's episodes.
select c.advertiser_id, c.campaign_id, c.starts_on, c.ends_on, r.what, r.value, r.show_id
from catalog.campaigns c
left join lateral (
    select 'code' as what, p.code as value, p.show_id from catalog.promo_codes p
    where p.tenant_id = c.tenant_id and p.campaign_id = c.campaign_id
    union all
    select 'url', v.url, v.show_id from catalog.vanity_urls v
    where v.tenant_id = c.tenant_id and v.campaign_id = c.campaign_id
) r on true
where c.tenant_id = %(tenant_id)s
order by c.advertiser_id, c.starts_on desc, c.campaign_id, r.what, r.value
