{{ config(indexes=[{'columns': ['tenant_id', 'usage_date']}]) }}
{#
  Cost per UTC day, tenant and resource, OpenCost/Kubecost style, columns named after FinOps FOCUS 1.3:
    direct  measured usage x unit price (int_cost_usage_priced), exact, per tenant, resource and (for LLM
            calls) provider model; usage no tenant can be charged for is its own line (tenant_id null,
            x_recipient 'unattributed');
    shared  each shared fixed cost of the day's price book, split over its recipients by its rule:
              metric    by each recipient's measured use of the metric that day (the unattributed usage is a
                        recipient too, so it carries its share instead of the tenants);
              even      equally over the tenants that existed that day;
              weighted  in proportion to each recipient's direct cost that day (Kubecost's "weighted by
                        cost"; the unattributed usage is a recipient too);
    idle    with a metric and a capacity_per_day, the part of the cost the day's usage left unused; spread by
            the same rule (each recipient's idle share shown apart), and a single line with no tenant
            (x_recipient 'unallocated') on a day nobody used the metric.
  The day's amount of a monthly cost is monthly / days-in-month in whole cents, the first (remainder) days
  of the month a cent more, so a month adds up to the monthly amount exactly. A day's shared and idle lines
  are then rounded to the cent by largest remainder: each line rounded down, the cents left over one each
  to the lines with the largest remainders (ties: tenants by id, then the unattributed and unallocated
  lines), so they add up to the day's amount exactly. Direct costs are not rounded.
  Rebuilt whole on every run: it is small (days x tenants x resources).
#}

with days as (
    select * from {{ ref('int_cost_days_priced') }}
),

priced as (
    select * from {{ ref('int_cost_usage_priced') }}
),

direct as (
    select
        usage_date,
        tenant_id,
        'direct'::text as cost_line,
        case when tenant_id is null then 'unattributed' else 'tenant' end as recipient,
        resource,
        -- an LLM call's model (provider/model); every other resource is one line per tenant and day
        case when resource like 'llm\_%' then resource_id else resource end as resource_id,
        service_provider,
        sum(quantity) as quantity,
        min(unit) as unit,
        sum(cost) as cost,
        bool_or(is_estimate) as is_estimate,
        null::text as sharing_rule
    from priced
    group by 1, 2, 3, 4, 5, 6, 7
),

shared as (
    select
        days.usage_date,
        days.price_book,
        s.name,
        s.rule,
        s.metric,
        s.capacity_per_day,
        -- the day's amount in cents
        floor(s.monthly_amount * 100 / days.days_in_month)
            + case when days.day_of_month <= (s.monthly_amount * 100) % days.days_in_month then 1 else 0 end
            as day_cents
    from days
    join {{ ref('stg_cost__shared_costs') }} as s on s.book_id = days.book_id
),

tenants_by_day as (
    select days.usage_date, t.tenant_id
    from days
    join {{ ref('stg_app__tenants') }} as t on t.created_on <= days.usage_date
),

recipients as (
    -- metric: every recipient that used the metric that day (the unattributed usage included)
    select shared.usage_date, shared.name, u.tenant_id, sum(u.quantity) as weight
    from shared
    join priced as u on u.usage_date = shared.usage_date and u.resource = shared.metric
    where shared.rule = 'metric'
    group by 1, 2, 3
    having sum(u.quantity) > 0
    union all
    -- weighted: every recipient with a direct cost that day, by that cost
    select shared.usage_date, shared.name, u.tenant_id, sum(u.cost)
    from shared
    join priced as u on u.usage_date = shared.usage_date
    where shared.rule = 'weighted'
    group by 1, 2, 3
    having sum(u.cost) > 0
    union all
    -- even: every tenant that existed that day, one share each
    select shared.usage_date, shared.name, t.tenant_id, 1::numeric
    from shared
    join tenants_by_day as t on t.usage_date = shared.usage_date
    where shared.rule = 'even'
),

totals as (
    select usage_date, name, sum(weight) as total_weight
    from recipients
    where weight > 0
    group by 1, 2
),

exact_lines as (
    -- used and idle parts per recipient, in cents, exact. One division per line, so a share that is a whole
    -- number of cents comes out whole: with capacity C and usage W, the used part is min(W, C) / C of the
    -- day's amount and the idle part (C - W) / C; without a capacity (or over it) everything is used.
    select
        shared.usage_date, shared.name, shared.rule, shared.price_book, shared.day_cents, r.tenant_id,
        r.weight, line.cost_line, line.cents
    from shared
    join totals on totals.usage_date = shared.usage_date and totals.name = shared.name
    join recipients as r on r.usage_date = shared.usage_date and r.name = shared.name and r.weight > 0
    cross join lateral (
        select greatest(coalesce(shared.capacity_per_day, 0), totals.total_weight) as capacity
    ) as c
    cross join lateral (
        values
            ('shared', shared.day_cents * r.weight * totals.total_weight / (totals.total_weight * c.capacity)),
            ('idle', shared.day_cents * r.weight * (c.capacity - totals.total_weight)
                     / (totals.total_weight * c.capacity))
    ) as line (cost_line, cents)
    where line.cents > 0 or line.cost_line = 'shared'
    union all
    -- nobody to share it with: the whole day's amount is idle, on no tenant
    select shared.usage_date, shared.name, shared.rule, shared.price_book, shared.day_cents, null::uuid,
        0::numeric, 'idle', shared.day_cents::numeric
    from shared
    where not exists (select from totals where totals.usage_date = shared.usage_date and totals.name = shared.name)
),

ranked as (
    select
        *,
        floor(cents) as floor_cents,
        row_number() over (
            partition by usage_date, name
            order by cents - floor(cents) desc, tenant_id nulls last, cost_line desc
        ) as remainder_rank,
        day_cents - sum(floor(cents)) over (partition by usage_date, name) as cents_left
    from exact_lines
),

allocated as (
    select
        usage_date,
        tenant_id,
        cost_line,
        case when tenant_id is not null then 'tenant'
             when cost_line = 'idle' and weight = 0 then 'unallocated'
             else 'unattributed' end as recipient,
        'shared:' || name as resource,
        name as resource_id,
        'Earmark'::text as service_provider,
        -- a share has no quantity of its own (its weight is the recipient's usage, cost or 1)
        null::numeric as quantity,
        null::text as unit,
        (floor_cents + case when remainder_rank <= cents_left then 1 else 0 end) / 100 as cost,
        false as is_estimate,
        rule as sharing_rule
    from ranked
),

lines as (
    select * from direct
    union all
    select * from allocated
)

select
    lines.tenant_id,
    lines.usage_date,
    (lines.usage_date::timestamp at time zone 'UTC') as charge_period_start,
    ((lines.usage_date + 1)::timestamp at time zone 'UTC') as charge_period_end,
    lines.cost_line as x_cost_line,
    lines.recipient as x_recipient,
    lines.resource,
    lines.resource_id,
    lines.service_provider as service_provider_name,
    lines.quantity as consumed_quantity,
    lines.unit as consumed_unit,
    lines.cost as billed_cost,
    lines.cost as effective_cost,
    days.currency as billing_currency,
    days.price_book as x_price_book,
    lines.is_estimate as x_is_estimate,
    lines.sharing_rule as x_sharing_rule
from lines
join days on days.usage_date = lines.usage_date
