select tenant_id, campaign_id, advertiser_id, name as campaign_name, starts_on, ends_on, currency
from {{ source('catalog', 'campaigns') }}
