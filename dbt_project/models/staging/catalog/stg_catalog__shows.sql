select tenant_id, show_id, title, network
from {{ source('catalog', 'shows') }}
