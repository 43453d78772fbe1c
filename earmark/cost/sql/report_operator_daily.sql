-- Daily totals per report line from the forecast's history to the month's end.
select coalesce(tenant_id::text, x_recipient) as line_key, usage_date, sum(billed_cost) as cost
from analytics.fct_daily_costs
where usage_date between %(since)s and %(last)s
  and (%(tenant_id)s::uuid is null or tenant_id = %(tenant_id)s)
group by 1, 2
