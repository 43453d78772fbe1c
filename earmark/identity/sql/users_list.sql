select tenant_id, id, email, role, status, created_at, last_login_at
from app.users
where tenant_id = %(tenant_id)s
order by lower(email)
