select episode_id, show_id, enclosure_url, bytes_total, duration_s::float8, id3_bytes
from catalog.episodes where tenant_id = %(tenant_id)s
