select tenant_id, session_id, user_id, email, role, tenant_name, created_at, expires_at, stage,
       authenticated_at, mfa_failures
from app.find_user_session(%(token_hash)s, %(idle)s::interval)
