-- End a grant: it and every access and refresh token descended from it stop working at once.
with ended as (
    update app.oauth_grants set revoked_at = now(), revoked_reason = %(reason)s
    where tenant_id = %(tenant_id)s and id = %(grant_id)s and revoked_at is null
)
update app.oauth_tokens set revoked_at = now()
where tenant_id = %(tenant_id)s and grant_id = %(grant_id)s and revoked_at is null
