-- The anomalies of the tenant's newest night (row-level security scopes the table), oldest day first; a
-- null filter does not filter. Keyset on (day, scope, entity_id, metric).
with night as (
    select max(as_of) as as_of from ai.model_fits where task = %(task)s::text
)

select anomalies.as_of,
    case when scope = 'show' then entity_id end as show_id,
    case when scope = 'campaign' then entity_id end as campaign_id,
    scope, entity_id, metric, day as date, actual, expected, lower, upper, score, kind, explanation,
    dimension, dimension_value, dimension_share
from ai.anomalies
join night on night.as_of = anomalies.as_of
where (%(start)s::date is null or day >= %(start)s::date)
  and (%(end)s::date is null or day <= %(end)s::date)
  and (%(metric)s::text is null or metric = %(metric)s::text)
  and (%(kind)s::text is null or kind = %(kind)s::text)
  and (%(show_id)s::text is null or (scope = 'show' and entity_id = %(show_id)s::text))
  and (%(campaign_id)s::text is null or (scope = 'campaign' and entity_id = %(campaign_id)s::text))
  and (%(after_day)s::date is null
       or (day, scope, entity_id, metric) > (%(after_day)s::date, %(after_scope)s::text,
                                             %(after_entity)s::text, %(after_metric)s::text))
order by day, scope, entity_id, metric
limit %(limit)s
