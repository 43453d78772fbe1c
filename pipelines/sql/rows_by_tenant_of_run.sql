-- What an attribution run processed per tenant (for the cost ledger's split of its step): the conversions
-- and credited touches of the tenants it recomputed, as fct_attribution_runs records them under its run id.
select tenant_id, sum(conversions + touches_credited)::bigint
from analytics.fct_attribution_runs
where run_id = %(run_id)s
group by tenant_id
