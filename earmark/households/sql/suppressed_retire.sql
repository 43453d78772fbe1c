delete from households.suppressed where tenant_id = %(tenant_id)s and origin = 'raw' and not (event_id = any(%(keep)s))
