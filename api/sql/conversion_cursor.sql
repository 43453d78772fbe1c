-- Where a page starts: the conversion named by starting_after (only the transaction's tenant is visible).
select converted_at, conversion_event_id
from analytics.fct_conversion_paths
where conversion_event_id = %(id)s
