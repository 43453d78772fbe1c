-- Whether any attribution run has been recorded yet (dbt creates the run log on the first run).
select to_regclass('analytics.fct_attribution_runs') is not null
