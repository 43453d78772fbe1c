update app.privacy_requests set attempted_at = now() where tenant_id = %(tenant_id)s and id = %(id)s
