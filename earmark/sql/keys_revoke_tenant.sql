-- Revoking twice keeps the first revocation time.
update app.api_keys set revoked_at = coalesce(revoked_at, now())
where tenant_id = %(tenant_id)s and id = %(id)s
returning id, tenant_id, name, mode, prefix, scopes, created_at, expires_at, revoked_at, last_used_at
