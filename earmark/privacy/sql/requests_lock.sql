-- The request, locked for this phase: a second run waits, then sees the phase the first one reached.
select id, kind, phase, subject_sealed, affected_dates, evidence
from app.privacy_requests
where tenant_id = %(tenant_id)s and id = %(id)s
for update
