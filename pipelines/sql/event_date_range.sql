-- The UTC days that hold events, for one tenant or all: the range `earmark run` attributes.
select
    min((occurred_at at time zone 'UTC')::date) as first_day,
    max((occurred_at at time zone 'UTC')::date) as last_day
from raw.events
where %(tenant_id)s::uuid is null or tenant_id = %(tenant_id)s::uuid
