-- The anomalies of the newest night (or of the night asked for) between two days, oldest first.
with night as (
    select coalesce(%(as_of)s::date, max(as_of)) as as_of
    from ai.model_fits
    where tenant_id = %(tenant_id)s and task = 'anomalies'
)

select case when scope = 'show' then entity_id end as show_id,
    case when scope = 'campaign' then entity_id end as campaign_id,
    metric, day as date, actual, expected, lower, upper, score, kind, explanation,
    dimension, dimension_value, dimension_share, anomalies.as_of
from ai.anomalies
join night on night.as_of = anomalies.as_of
where tenant_id = %(tenant_id)s
    and (%(start)s::date is null or day >= %(start)s)
    and (%(end)s::date is null or day <= %(end)s)
order by day, scope, entity_id, metric
