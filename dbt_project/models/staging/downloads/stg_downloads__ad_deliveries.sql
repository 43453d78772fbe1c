select tenant_id, day as delivered_on, mode, ad_id, impressions
from {{ source('downloads', 'ad_deliveries') }}
