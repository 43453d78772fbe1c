select id, kind, phase, requested_by, received_at, due_at, completed_at, downloaded_at, evidence, error
from app.privacy_requests
where tenant_id = %(tenant_id)s and id = %(id)s
