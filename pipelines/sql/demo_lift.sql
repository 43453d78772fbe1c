-- Per campaign of one tenant, for the demo's closing lines: its delivered ads and how many household
-- matching tied to a site visit (households.exposure_days), and its newest visit lift (as_of of the latest
-- lift run), the five campaigns with the most delivered ads.
with exposure as (
    select campaign_id, sum(exposures)::bigint as exposures, sum(matched)::bigint as matched
    from households.exposure_days
    where tenant_id = %(tenant_id)s
    group by campaign_id
),

newest as (
    select campaign_id, result
    from households.lift_results
    where tenant_id = %(tenant_id)s and metric = 'visits'
      and as_of = (select max(as_of) from households.lift_results where tenant_id = %(tenant_id)s)
)

select e.campaign_id, e.exposures, e.matched, n.result
from exposure e
left join newest n on n.campaign_id = e.campaign_id
where e.exposures > 0
order by e.exposures desc, e.campaign_id
limit 5
