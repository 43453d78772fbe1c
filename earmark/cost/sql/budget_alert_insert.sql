insert into cost.budget_alerts (tenant_id, month, threshold, budget, actual, forecast)
values (%(tenant_id)s, %(month)s, %(threshold)s, %(budget)s, %(actual)s, %(forecast)s)
on conflict do nothing
