-- The model the tenant's reports use when a request names none.
select reporting_model from app.tenant_settings
