-- Keyset pagination on (converted_at, conversion_event_id): stable under inserts, no OFFSET scans.
select conversion_event_id, user_id, conversion_date, converted_at, revenue, path, path_length,
    touch_event_ids, first_touch_at, last_touch_at
from analytics.fct_conversion_paths
where (%(start)s::date is null or conversion_date >= %(start)s::date)
  and (%(end)s::date is null or conversion_date <= %(end)s::date)
  and (
      %(after_id)s::text is null
      or (converted_at, conversion_event_id) > (%(after_at)s::timestamptz, %(after_id)s::text)
  )
order by converted_at, conversion_event_id
limit %(limit)s
