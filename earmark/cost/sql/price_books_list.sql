-- Every version; in_effect marks the one pricing today (UTC): the latest effective_from on or before
-- today, the latest loaded among equals.
with ranked as (
    select *, row_number() over (
        order by (effective_from <= (now() at time zone 'UTC')::date) desc, effective_from desc, loaded_at desc,
                 book_id desc) as rank
    from cost.price_books
)
select book_id, version, effective_from, currency, sha256, source, loaded_at,
       rank = 1 and effective_from <= (now() at time zone 'UTC')::date as in_effect
from ranked
order by effective_from desc, loaded_at desc
