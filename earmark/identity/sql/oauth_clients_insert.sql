insert into app.oauth_clients (tenant_id, client_id, name, secret_hash, redirect_uris, scopes, grant_types)
values (%(tenant_id)s, %(client_id)s, %(name)s, %(secret_hash)s, %(redirect_uris)s, %(scopes)s,
        %(grant_types)s)
returning tenant_id, id, client_id, name, secret_hash, redirect_uris, scopes, grant_types
