-- The month's largest direct cost drivers: assets, LLM models, LLM tasks, tables, the API.
select driver_kind, driver, sum(billed_cost) as cost
from analytics.fct_cost_drivers
where tenant_id = %(tenant_id)s and usage_date between %(first)s and %(last)s
group by 1, 2
order by sum(billed_cost) desc, 1, 2
limit %(top)s
