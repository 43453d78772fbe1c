select tenant_id, token_id, scopes, user_id, user_role, client_id, expires_at, tenant_status, tenant_tier
from app.find_oauth_access_token(%(token_hash)s)
