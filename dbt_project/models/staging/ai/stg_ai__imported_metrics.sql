select tenant_id, show_id, metric, day, value
from {{ source('ai', 'imported_metrics') }}
