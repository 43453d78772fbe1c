update app.oauth_tokens set revoked_at = now()
where tenant_id = %(tenant_id)s and id = %(id)s and revoked_at is null
