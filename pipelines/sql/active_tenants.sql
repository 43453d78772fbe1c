select id::text from app.tenants where status = 'active' order by id
