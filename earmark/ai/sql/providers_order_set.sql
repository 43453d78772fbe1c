update app.tenant_settings set ai_providers = %(providers)s, updated_at = now()
where tenant_id = %(tenant_id)s
