-- A tenant key; the secret itself is never stored, only its HMAC beside the lookup prefix.
insert into app.api_keys (tenant_id, name, mode, prefix, key_hash, scopes, expires_at)
values (%(tenant_id)s, %(name)s, %(mode)s, %(prefix)s, %(key_hash)s, %(scopes)s, %(expires_at)s)
returning id, tenant_id, name, mode, prefix, scopes, created_at, expires_at, revoked_at, last_used_at
