-- Placements whose flight runs past the night's day, with their spend per day over its last 28 days.
select placements.placement_id, placements.campaign_id, placements.show_id, placements.slot, placements.kind,
    coalesce(recent.spend, 0) / 28.0 as spend_per_day
from catalog.placements as placements
join catalog.campaigns as campaigns
    on campaigns.tenant_id = placements.tenant_id and campaigns.campaign_id = placements.campaign_id
left join (
    select placement_id, sum(spend)::float8 as spend
    from analytics.fct_daily_spend
    where tenant_id = %(tenant_id)s and spend_date > %(as_of)s::date - 28 and spend_date <= %(as_of)s
    group by 1
) as recent on recent.placement_id = placements.placement_id
where placements.tenant_id = %(tenant_id)s
    and coalesce(placements.ends_on, campaigns.ends_on) > %(as_of)s
    and coalesce(placements.starts_on, campaigns.starts_on) <= %(as_of)s::date + 28
order by placements.placement_id
