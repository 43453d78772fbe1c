select tenant_id, id, email, role, status, created_at, last_login_at
from app.users
where id = %(id)s
