-- The vendor metrics per day, campaign and show under one model (the one asked for, else the tenant's
-- reporting_model), over the days asked (a null start or end leaves that side open); RLS scopes the tenant.
select day, campaign_id, show_id, impressions, reach, frequency, eligible, matched, match_rate,
       matched_visitors, visit_rate, spend::double precision as spend, conversions, revenue, cost_per_visitor,
       cpa, roas
from analytics.fct_household_metrics
where model = coalesce(%(model)s::text, (select reporting_model from app.tenant_settings))
  and (%(campaign_id)s::text is null or campaign_id = %(campaign_id)s::text)
  and (%(start)s::date is null or day >= %(start)s::date)
  and (%(end)s::date is null or day <= %(end)s::date)
order by day, campaign_id, show_id
limit 10000
