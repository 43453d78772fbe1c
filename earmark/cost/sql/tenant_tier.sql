select tier from app.tenants where id = %(tenant_id)s
