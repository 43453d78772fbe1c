{{ config(materialized='ephemeral') }}
{#
  Every UTC day from the first of the month of the ledger's first day (so every month holds all its days
  and its fixed costs add up to their monthly amounts) to today, with the price book version in effect:
  the one with the latest effective_from on or before the day (the latest loaded among equals). Days before
  the first version's effective_from have no book and are left out.
#}
with bounds as (
    select
        greatest(date_trunc('month', min(usage_date))::date,
                 (select min(effective_from) from {{ ref('stg_cost__price_books') }})) as first_day,
        (now() at time zone 'UTC')::date as today
    from {{ ref('stg_cost__usage_events') }}
),

days as (
    select day::date as usage_date
    from bounds, generate_series(bounds.first_day, greatest(bounds.first_day, bounds.today), interval '1 day') as day
    where bounds.first_day is not null
)

select
    days.usage_date,
    book.book_id,
    book.version as price_book,
    book.currency,
    extract(day from (date_trunc('month', days.usage_date) + interval '1 month - 1 day'))::integer as days_in_month,
    extract(day from days.usage_date)::integer as day_of_month
from days
cross join lateral (
    select b.book_id, b.version, b.currency
    from {{ ref('stg_cost__price_books') }} as b
    where b.effective_from <= days.usage_date
    order by b.effective_from desc, b.loaded_at desc, b.book_id desc
    limit 1
) as book
