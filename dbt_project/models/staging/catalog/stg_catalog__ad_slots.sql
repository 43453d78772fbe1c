select tenant_id, ad_id, episode_id, kind, placement_id
from {{ source('catalog', 'ad_slots') }}
