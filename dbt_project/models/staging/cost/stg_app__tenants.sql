select id as tenant_id, tier, (created_at at time zone 'UTC')::date as created_on
from {{ source('app', 'tenants') }}
