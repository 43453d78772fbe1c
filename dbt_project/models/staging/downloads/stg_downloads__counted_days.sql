select tenant_id, day as counted_on
from {{ source('downloads', 'counted_days') }}
