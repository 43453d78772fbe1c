insert into app.oauth_tokens (tenant_id, token_hash, grant_id, kind, scopes, audience, expires_at)
values (%(tenant_id)s, %(token_hash)s, %(grant_id)s, %(kind)s, %(scopes)s, %(audience)s, %(expires_at)s)
