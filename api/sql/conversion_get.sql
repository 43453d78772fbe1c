select conversion_event_id, user_id, conversion_date, converted_at, revenue, path, path_length,
    touch_event_ids, first_touch_at, last_touch_at
from analytics.fct_conversion_paths
where conversion_event_id = %(id)s
