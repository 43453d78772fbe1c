-- The events an attribution run's days hold per tenant (one tenant when the run is restricted to it).
select tenant_id, count(*)
from raw.events
where occurred_at >= %(start)s and occurred_at < %(end)s
  and (%(tenant_id)s::uuid is null or tenant_id = %(tenant_id)s::uuid)
group by tenant_id
