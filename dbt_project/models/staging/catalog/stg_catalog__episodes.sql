select tenant_id, episode_id, show_id, published_at
from {{ source('catalog', 'episodes') }}
