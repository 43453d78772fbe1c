-- The site pixel's events: every event that came with an address.
select event_id, user_id, occurred_at, event_type, household_key, ip_sealed, user_agent
from raw.events
where tenant_id = %(tenant_id)s and household_key is not null
