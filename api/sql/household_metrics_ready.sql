select to_regclass('analytics.fct_household_metrics') is not null as ready,
       (select reporting_model from app.tenant_settings) as reporting_model
