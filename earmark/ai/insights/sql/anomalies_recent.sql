-- The night's anomalies of its last days, for the recommendations; a show's series names its show, a
-- campaign's its campaign.
select case when scope = 'show' then entity_id end as show_id,
    case when scope = 'campaign' then entity_id end as campaign_id,
    metric, day, kind, actual, expected, lower, upper, explanation, dimension, dimension_value, dimension_share
from ai.anomalies
where tenant_id = %(tenant_id)s and as_of = %(as_of)s and day >= %(since)s
order by day, scope, entity_id, metric
