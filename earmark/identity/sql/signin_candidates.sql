select tenant_id, user_id, email, role, password_hash, user_status, tenant_status
from app.signin_candidates(%(email)s)
