insert into app.users (tenant_id, email, role, password_hash)
values (%(tenant_id)s, %(email)s, %(role)s, %(password_hash)s)
returning tenant_id, id, email, role, status, created_at, last_login_at
