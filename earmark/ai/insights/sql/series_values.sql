-- Every daily series of the tenant up to the night's day; the transformer sees every tenant in the mart, so
-- the tenant is filtered here as well as by the transaction.
select scope, entity_id, metric, day, value, source
from analytics.fct_daily_metrics
where tenant_id = %(tenant_id)s and day <= %(as_of)s
order by scope, entity_id, metric, day
