-- Each report line's largest direct cost driver in the month (an asset, an LLM model, a table or the API):
-- a tenant's, and the unattributed usage's under 'unattributed'.
select distinct on (coalesce(tenant_id::text, 'unattributed'))
       coalesce(tenant_id::text, 'unattributed') as line_key, driver_kind, driver, sum(billed_cost) as cost
from analytics.fct_cost_drivers
where usage_date between %(first)s and %(last)s and driver_kind not in ('llm_task', 'llm_call')
  and (%(tenant_id)s::uuid is null or tenant_id = %(tenant_id)s)
group by 1, driver_kind, driver
order by 1, sum(billed_cost) desc, driver_kind, driver
