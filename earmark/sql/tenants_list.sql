select id, name, tier, status, created_at from app.tenants order by created_at, name
