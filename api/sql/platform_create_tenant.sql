select * from app.platform_create_tenant(%(key_id)s, %(key_hash)s, %(name)s, %(tier)s)
