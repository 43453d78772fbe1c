select t.name from cost.budget_alerts a join app.tenants t on t.id = a.tenant_id
where a.month = %(month)s and a.threshold = '100%%' order by 1
