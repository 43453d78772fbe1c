select charge_period_start, charge_period_end, sum(billed_cost) as cost
from analytics.fct_daily_costs
where tenant_id = %(tenant_id)s and usage_date between %(first)s and %(last)s
group by 1, 2
order by 1
