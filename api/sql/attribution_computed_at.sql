-- When attribution was last computed for the transaction's tenant (null before its first run).
select max(computed_at) as computed_at
from analytics.fct_attribution_runs
