select 1 from app.tenants where name = %(name)s
