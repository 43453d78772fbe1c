-- Per-touch credit for a set of conversions; model null means every model. The mart is wide (one row per
-- touch, a credit column per model): unpivot it to one row per touch x model.
select touches.conversion_event_id, credits.model, touches.touch_position, touches.touch_event_id,
    touches.channel, touches.campaign_id, touches.show_id, touches.placement_id, credits.credit,
    credits.revenue_credit
from analytics.fct_touch_credits as touches
cross join lateral (
    values
        ('first_touch', touches.first_touch_credit, touches.first_touch_revenue_credit),
        ('last_touch', touches.last_touch_credit, touches.last_touch_revenue_credit),
        ('linear', touches.linear_credit, touches.linear_revenue_credit),
        ('time_decay', touches.time_decay_credit, touches.time_decay_revenue_credit),
        ('position_based', touches.position_based_credit, touches.position_based_revenue_credit)
) as credits (model, credit, revenue_credit)
where touches.conversion_event_id = any(%(ids)s)
  and (%(model)s::text is null or credits.model = %(model)s::text)
order by touches.conversion_event_id, credits.model, touches.touch_position
