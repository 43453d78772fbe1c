-- Each tenant's largest direct cost driver in the month.
select distinct on (tenant_id) tenant_id, driver_kind, driver, sum(billed_cost) as cost
from analytics.fct_cost_drivers
where usage_date between %(first)s and %(last)s and driver_kind <> 'llm_task'
  and (%(tenant_id)s::uuid is null or tenant_id = %(tenant_id)s)
group by tenant_id, driver_kind, driver
order by tenant_id, sum(billed_cost) desc, driver_kind, driver
