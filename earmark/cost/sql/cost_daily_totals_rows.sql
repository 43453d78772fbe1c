-- A tenant's allocated cost per UTC day (direct, shared and idle lines) since a day.
select usage_date, sum(billed_cost) as cost
from analytics.fct_daily_costs
where tenant_id = %(tenant_id)s and usage_date >= %(since)s
group by 1
order by 1
