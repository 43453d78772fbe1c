select id, null::uuid as tenant_id, name, mode, prefix, scopes, created_at, expires_at, revoked_at,
    last_used_at
from app.platform_keys
order by created_at desc, id
