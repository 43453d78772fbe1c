select kind, phase, requested_by, downloaded_at, export_sealed is not null as ready
from app.privacy_requests
where tenant_id = %(tenant_id)s and id = %(id)s
