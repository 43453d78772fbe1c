-- The user behind a code or refresh token, if still active.
select id, email, role from app.users
where tenant_id = %(tenant_id)s and id = %(user_id)s and status = 'active'
