select * from app.platform_list_tenants(%(key_id)s, %(key_hash)s, %(limit)s, %(after_created)s, %(after_id)s)
