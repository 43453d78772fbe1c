-- Per-touch credit for a set of conversions; model null means every model.
select conversion_event_id, model, touch_position, touch_event_id, channel, campaign_id, credit,
    revenue_credit
from analytics.fct_touch_credits
where conversion_event_id = any(%(ids)s)
  and (%(model)s::text is null or model = %(model)s::text)
order by conversion_event_id, model, touch_position
