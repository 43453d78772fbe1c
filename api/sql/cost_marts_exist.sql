-- The cost marts exist (a new install has none before its first cost run).
select to_regclass('analytics.fct_daily_costs') is not null and to_regclass('analytics.fct_cost_drivers') is not null
    as ready
