insert into app.user_sessions (tenant_id, token_hash, user_id, expires_at, stage)
values (%(tenant_id)s, %(token_hash)s, %(user_id)s, now() + %(absolute)s::interval, %(stage)s)
returning id
