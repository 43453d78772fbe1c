update raw.events set user_id = %(new_user_id)s
where tenant_id = %(tenant_id)s and user_id = any(%(user_ids)s)
