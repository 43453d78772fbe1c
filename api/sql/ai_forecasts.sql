-- The newest night's forecasts of one metric, per series and future day.
with night as (
    select max(as_of) as as_of from ai.model_fits where task = %(task)s::text
)

select forecasts.as_of,
    case when scope = 'show' then entity_id end as show_id,
    case when scope = 'campaign' then entity_id end as campaign_id,
    metric, day as date, predicted, lower, upper
from ai.forecasts
join night on night.as_of = forecasts.as_of
where metric = %(metric)s::text
  and (%(show_id)s::text is null or (scope = 'show' and entity_id = %(show_id)s::text))
  and (%(campaign_id)s::text is null or (scope = 'campaign' and entity_id = %(campaign_id)s::text))
  and (%(show_id)s::text is not null or %(campaign_id)s::text is not null or scope = 'show')
order by scope, entity_id, day
limit 10000
