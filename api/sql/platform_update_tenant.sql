select * from app.platform_update_tenant(%(key_id)s, %(key_hash)s, %(tenant_id)s, %(tier)s, %(status)s)
