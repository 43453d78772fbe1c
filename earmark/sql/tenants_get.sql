select id, name, tier, status, created_at from app.tenants where id = %(tenant_id)s
