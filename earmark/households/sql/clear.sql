delete from households.matches where tenant_id = %(tenant_id)s
