select id, name, tier from app.tenants order by name
