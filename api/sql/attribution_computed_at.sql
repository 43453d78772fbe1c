-- When attribution was last computed for the transaction's tenant (null before its first run), and the model
-- its reports use when a request names none.
select
    (select max(computed_at) from analytics.fct_attribution_runs) as computed_at,
    (select reporting_model from app.tenant_settings) as reporting_model
