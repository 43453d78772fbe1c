select * from app.platform_get_tenant(%(key_id)s, %(key_hash)s, %(tenant_id)s)
