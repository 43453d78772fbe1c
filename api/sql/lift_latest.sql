-- A campaign's newest lift figures (the API's answer).
select as_of, metric, result, computed_at from households.lift_results
where tenant_id = %(tenant_id)s and campaign_id = %(campaign_id)s
  and as_of = (select max(as_of) from households.lift_results
               where tenant_id = %(tenant_id)s and campaign_id = %(campaign_id)s)
order by metric
