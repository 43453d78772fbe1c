select tenant_id, url, campaign_id, show_id
from {{ source('catalog', 'vanity_urls') }}
