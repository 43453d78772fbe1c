insert into ai.campaign_predictions (tenant_id, as_of, campaign_id, show_id, slot, kind, weeks, spend,
    conversions, conversions_lower, conversions_upper, roas, roas_lower, roas_upper, pooled, validation)
select %(tenant_id)s, %(as_of)s, rows.*
from jsonb_to_recordset(%(rows)s::jsonb) as rows (
    campaign_id text, show_id text, slot text, kind text, weeks integer, spend float8, conversions float8,
    conversions_lower float8, conversions_upper float8, roas float8, roas_lower float8, roas_upper float8,
    pooled boolean, validation jsonb)
