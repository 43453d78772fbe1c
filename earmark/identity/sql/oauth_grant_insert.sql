insert into app.oauth_grants (tenant_id, client, user_id, scopes, expires_at)
values (%(tenant_id)s, %(client)s, %(user_id)s, %(scopes)s, now() + %(lifetime)s::interval)
returning id, expires_at
