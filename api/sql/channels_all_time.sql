-- Channel credit over the whole history: the mart already holds it, a handful of rows per tenant.
select channel, conversions, revenue, conversion_share, revenue_share
from analytics.fct_model_comparison
where model = %(model)s
order by conversions desc, channel
