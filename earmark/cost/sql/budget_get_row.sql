select monthly_amount, thresholds, alert_on_forecast from cost.budgets where tenant_id = %(tenant_id)s
