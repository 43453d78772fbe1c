{#
  A run option: the dbt var when one is passed (--vars: tests, `earmark bench`), else the environment
  variable EARMARK_<NAME> that Dagster sets for each run (pipelines/defs/attribution/run_config.py). An
  environment variable keeps dbt's partial parse: changed --vars make dbt re-parse the whole project.
  An empty value is an unset option (none); 'true' is true.
#}
{% macro attribution_option(name) %}
  {%- set value = var(name, none) -%}
  {%- if value is none -%}
    {%- set value = env_var('EARMARK_' ~ (name | upper), '') -%}
    {%- set value = none if value == '' else (true if value == 'true' else value) -%}
  {%- endif -%}
  {{ return(value) }}
{% endmacro %}
