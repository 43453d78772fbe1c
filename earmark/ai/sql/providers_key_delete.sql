delete from app.ai_provider_keys where tenant_id = %(tenant_id)s and provider = %(provider)s
returning provider
