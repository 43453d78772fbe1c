select 1 from cost.budget_alerts where tenant_id = %(tenant_id)s and month = %(month)s and threshold = %(threshold)s
