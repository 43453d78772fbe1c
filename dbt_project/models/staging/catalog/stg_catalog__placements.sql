select
    tenant_id,
    placement_id,
    campaign_id,
    show_id,
    episode_id,
    pricing,
    rate,
    starts_on,
    ends_on
from {{ source('catalog', 'placements') }}
