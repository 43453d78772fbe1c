{#
  Every day of fct_daily_costs adds up, recomputed from the ledger and the price book rather than read from
  the mart's own parts:
    - for each shared cost of the day's book, its shared and idle lines add up to the day's amount to the
      cent (monthly / days-in-month in cents, the first remainder days a cent more);
    - the direct lines add up to the ledger's usage x unit price (or the source's own price) exactly;
    - no line is negative, and no direct line lacks a price;
    - no usage falls on a day that no price book covers (it would be left out of the mart, costing nothing).
  Fails with one row per day and cost that breaks it.
#}
{% test cost_allocation_adds_up(model) %}
with ledger_days as (
    select usage_date from {{ source('cost', 'usage_events') }}
    union
    select usage_date from {{ source('cost', 'unattributed_usage') }}
),

books as (
    select d.day::date as usage_date, b.book_id,
        extract(day from (date_trunc('month', d.day) + interval '1 month - 1 day'))::integer as days_in_month,
        extract(day from d.day)::integer as day_of_month
    from (select usage_date as day from ledger_days union select usage_date from {{ model }}) as d
    cross join lateral (
        select book_id from {{ source('cost', 'price_books') }}
        where effective_from <= d.day order by effective_from desc, loaded_at desc, book_id desc limit 1
    ) as b
),

expected_shared as (
    select books.usage_date, s.name,
        (floor(s.monthly_amount * 100 / books.days_in_month)
            + case when books.day_of_month <= (s.monthly_amount * 100) % books.days_in_month then 1 else 0 end)
            / 100 as amount
    from books
    join {{ source('cost', 'shared_costs') }} as s on s.book_id = books.book_id
),

actual_shared as (
    select usage_date, resource_id as name, sum(billed_cost) as amount
    from {{ model }}
    where x_cost_line in ('shared', 'idle')
    group by 1, 2
),

ledger as (
    select u.usage_date, u.billed_cost, u.quantity, u.resource, books.book_id, books.days_in_month
    from {{ source('cost', 'usage_events') }} as u
    join books on books.usage_date = u.usage_date
    union all
    select u.usage_date, u.billed_cost, u.quantity, u.resource, books.book_id, books.days_in_month
    from {{ source('cost', 'unattributed_usage') }} as u
    join books on books.usage_date = u.usage_date
),

expected_direct as (
    select l.usage_date,
        sum(coalesce(l.billed_cost, l.quantity * p.price / p.per
                                    / case when p.per_month then l.days_in_month else 1 end)) as amount
    from ledger as l
    left join {{ source('cost', 'unit_prices') }} as p on p.book_id = l.book_id and p.resource = l.resource
    group by 1
),

actual_direct as (
    select usage_date, sum(billed_cost) as amount
    from {{ model }}
    where x_cost_line = 'direct'
    group by 1
)

select 'shared' as kind, e.usage_date, e.name, e.amount as expected, a.amount as actual
from expected_shared as e
full join actual_shared as a on a.usage_date = e.usage_date and a.name = e.name
where a.amount is distinct from e.amount
union all
select 'direct', e.usage_date, null, e.amount, a.amount
from expected_direct as e
full join actual_direct as a on a.usage_date = e.usage_date
where a.amount is distinct from e.amount
union all
select 'negative or unpriced', usage_date, resource_id, null, billed_cost
from {{ model }}
where billed_cost < 0 or billed_cost is null
union all
select 'no price book', usage_date, null, null, null
from ledger_days
where usage_date not in (select usage_date from books)
{% endtest %}
