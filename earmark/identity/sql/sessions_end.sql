-- Signed out or rotated: the old token stops working at once.
update app.user_sessions set ended_at = now()
where tenant_id = %(tenant_id)s and token_hash = %(token_hash)s and ended_at is null
