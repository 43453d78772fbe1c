-- Channel credit over the whole history: the mart already holds it, a handful of rows per tenant.
select channel, conversions, revenue, conversion_share, revenue_share
from analytics.fct_model_comparison
where model = coalesce(%(model)s::text, (select reporting_model from app.tenant_settings))
order by conversions desc, channel
