select threshold, budget, actual, forecast, fired_at
from cost.budget_alerts
where tenant_id = %(tenant_id)s and month = %(month)s
order by fired_at, threshold
