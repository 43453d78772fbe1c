select tenant_id, placement_id, day as delivered_on, impressions
from {{ source('catalog', 'deliveries') }}
