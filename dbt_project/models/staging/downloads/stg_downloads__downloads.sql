select tenant_id, day as downloaded_on, mode, download_id, episode_id, ip_key
from {{ source('downloads', 'downloads') }}
