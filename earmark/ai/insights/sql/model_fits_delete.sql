delete from ai.model_fits where tenant_id = %(tenant_id)s and task = %(task)s and as_of = %(as_of)s
