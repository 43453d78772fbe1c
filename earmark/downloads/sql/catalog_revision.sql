select coalesce((select revision from catalog.revisions where tenant_id = %(tenant_id)s), 0)
