-- A campaign's site visits per channel and day.
select events.channel as value, (events.occurred_at at time zone 'UTC')::date as day, count(*)::float8 as amount
from raw.events as events
where events.tenant_id = %(tenant_id)s and events.campaign_id = %(entity_id)s
    and events.event_type = 'touchpoint'
    and (events.channel <> 'podcast' or events.vanity_url is not null)
    and events.occurred_at >= %(start)s::date and events.occurred_at < %(end)s::date + 1
group by 1, 2
