-- The month's largest direct cost drivers of each kind (assets, LLM models, tasks and calls, tables, the API):
-- each kind adds up to the same direct cost, so they are ranked within their kind.
with drivers as (
    select driver_kind, driver, sum(billed_cost) as cost
    from analytics.fct_cost_drivers
    where tenant_id = %(tenant_id)s and usage_date between %(first)s and %(last)s
    group by 1, 2
),

ranked as (
    select *, row_number() over (partition by driver_kind order by cost desc, driver) as rank
    from drivers
)

select driver_kind, driver, cost
from ranked
where rank <= %(top)s
order by driver_kind, rank
