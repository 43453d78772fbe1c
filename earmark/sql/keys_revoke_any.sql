-- The owner's revoke (CLI): the id alone names a tenant key or a platform key.
with tenant_key as (
    update app.api_keys set revoked_at = coalesce(revoked_at, now())
    where id = %(id)s
    returning id, tenant_id, name, mode, prefix, scopes, created_at, expires_at, revoked_at, last_used_at
), platform_key as (
    update app.platform_keys set revoked_at = coalesce(revoked_at, now())
    where id = %(id)s
    returning id, null::uuid as tenant_id, name, mode, prefix, scopes, created_at, expires_at, revoked_at,
        last_used_at
)
select * from tenant_key
union all
select * from platform_key
