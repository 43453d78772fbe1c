-- Revoke a live client of the tenant; its tokens stop working at once (app.find_oauth_access_token).
update app.oauth_clients set revoked_at = now()
where tenant_id = %(tenant_id)s and client_id = %(client_id)s and revoked_at is null
returning tenant_id, id, client_id, name, secret_hash, redirect_uris, scopes, grant_types
