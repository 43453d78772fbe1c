select resource, x_cost_line, service_provider_name, sum(consumed_quantity) as quantity,
       min(consumed_unit) as unit, sum(billed_cost) as cost, bool_or(x_is_estimate) as is_estimate
from analytics.fct_daily_costs
where tenant_id = %(tenant_id)s and usage_date between %(first)s and %(last)s
group by 1, 2, 3
order by sum(billed_cost) desc, 1, 2
