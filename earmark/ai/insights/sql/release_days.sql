-- The UTC days each show released an episode (future ones included: forecasts expect them).
select show_id, array_agg(distinct (published_at at time zone 'UTC')::date order by (published_at at time zone 'UTC')::date)
from catalog.episodes
where tenant_id = %(tenant_id)s and published_at is not null
group by show_id
