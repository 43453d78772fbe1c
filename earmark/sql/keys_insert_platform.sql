-- A platform key (no tenant): only the owner may create one, from the CLI.
insert into app.platform_keys (name, mode, prefix, key_hash, scopes, expires_at)
values (%(name)s, %(mode)s, %(prefix)s, %(key_hash)s, %(scopes)s, %(expires_at)s)
returning id, null::uuid as tenant_id, name, mode, prefix, scopes, created_at, expires_at, revoked_at,
    last_used_at
