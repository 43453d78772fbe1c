select tenant_id, code, campaign_id, show_id
from {{ source('catalog', 'promo_codes') }}
