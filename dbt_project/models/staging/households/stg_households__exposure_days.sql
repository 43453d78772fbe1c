select tenant_id, day, campaign_id, show_id, exposures, households, eligible, matched, excluded_carrier,
       excluded_shared
from {{ source('households', 'exposure_days') }}
