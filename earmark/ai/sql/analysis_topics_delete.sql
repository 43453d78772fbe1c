delete from ai.topics where tenant_id = %(tenant_id)s
