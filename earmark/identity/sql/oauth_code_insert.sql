insert into app.oauth_codes (tenant_id, code_hash, grant_id, redirect_uri, code_challenge, expires_at)
values (%(tenant_id)s, %(code_hash)s, %(grant_id)s, %(redirect_uri)s, %(code_challenge)s,
        now() + %(lifetime)s::interval)
