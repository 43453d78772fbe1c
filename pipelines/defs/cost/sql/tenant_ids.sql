select id from app.tenants
