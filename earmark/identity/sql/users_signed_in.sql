update app.users set last_login_at = now() where tenant_id = %(tenant_id)s and id = %(user_id)s
