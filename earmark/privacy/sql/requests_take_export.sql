-- The access export, handed over once: it is cleared in the same statement that returns it.
update app.privacy_requests as r
set export_sealed = null, downloaded_at = now()
from (select export_sealed from app.privacy_requests
      where tenant_id = %(tenant_id)s and id = %(id)s for update) as before
where r.tenant_id = %(tenant_id)s and r.id = %(id)s and before.export_sealed is not null
returning before.export_sealed
