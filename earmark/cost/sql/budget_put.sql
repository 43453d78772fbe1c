insert into cost.budgets (tenant_id, monthly_amount, thresholds, alert_on_forecast)
values (%(tenant_id)s, %(amount)s, %(thresholds)s, %(forecast)s)
on conflict (tenant_id) do update set monthly_amount = excluded.monthly_amount, thresholds = excluded.thresholds,
    alert_on_forecast = excluded.alert_on_forecast, updated_at = now()
returning tenant_id
