-- The ledger's two tables as one: tenant_id null marks usage no tenant can be charged for.
select tenant_id, source, source_event_id, resource, usage_date, quantity, unit, resource_id, service_provider,
       billed_cost, is_estimate, tags
from {{ source('cost', 'usage_events') }}
union all
select null::uuid, source, source_event_id, resource, usage_date, quantity, unit, resource_id, service_provider,
       billed_cost, is_estimate, tags
from {{ source('cost', 'unattributed_usage') }}
