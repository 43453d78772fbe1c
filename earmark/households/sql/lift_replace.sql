delete from households.lift_results where tenant_id = %(tenant_id)s and as_of = %(as_of)s
