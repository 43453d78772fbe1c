select event_id, user_id, occurred_at from households.signal_touches where tenant_id = %(tenant_id)s
