select kind, id, tenant_id, key_hash, scopes, expires_at, revoked_at, tenant_tier, tenant_status
from app.find_api_key(%(prefix)s)
