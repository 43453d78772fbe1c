-- A month's cost per tenant by line; the platform's own lines (no tenant) as one row per kind
-- (unattributed usage and its shares; idle cost nobody used).
with lines as (
    select *, coalesce(tenant_id::text, x_recipient) as line_key
    from analytics.fct_daily_costs
    where usage_date between %(first)s and %(last)s
      and (%(tenant_id)s::uuid is null or tenant_id = %(tenant_id)s)
)
select lines.line_key, lines.tenant_id,
       coalesce(t.name, case lines.line_key when 'unallocated' then '(idle, unallocated)'
                                            else '(unattributed)' end) as name,
       t.tier,
       sum(lines.billed_cost) filter (where lines.x_cost_line = 'direct') as direct,
       sum(lines.billed_cost) filter (where lines.x_cost_line = 'shared') as shared,
       sum(lines.billed_cost) filter (where lines.x_cost_line = 'idle') as idle,
       sum(lines.billed_cost) as total
from lines
left join app.tenants as t on t.id = lines.tenant_id
group by lines.line_key, lines.tenant_id, t.name, t.tier
order by lines.tenant_id is null, t.name, 3
