{#
  dbt-postgres builds a contracted table as CREATE TABLE (columns) + INSERT ... SELECT, and Postgres never
  runs an INSERT ... SELECT in parallel: the attribution mart lost its parallel scan and sort (Gather
  Merge), about a third of its time. CREATE TABLE AS may run in parallel, so for contracts whose only
  constraints are NOT NULL we create the table as the contract-ordered select (dbt has already asserted
  the column names and types against the contract) and add the NOT NULLs after. Any other constraint
  keeps dbt's own statement.
#}
{% macro postgres__create_table_as(temporary, relation, sql) -%}
  {%- set contract_config = config.get('contract') -%}
  {%- set only_not_null = [] -%}
  {%- if contract_config.enforced and not temporary and not model.get('constraints') -%}
    {%- for column in model['columns'].values() -%}
      {%- for constraint in column.get('constraints', []) -%}
        {%- if constraint['type'] != 'not_null' -%}{%- do only_not_null.append(false) -%}{%- endif -%}
      {%- endfor -%}
    {%- endfor -%}
  {%- else -%}
    {%- do only_not_null.append(false) -%}
  {%- endif -%}
  {%- set unlogged = config.get('unlogged', default=false) -%}
  {%- set sql_header = config.get('sql_header', none) -%}
  {{ sql_header if sql_header is not none }}
  {%- if false in only_not_null %}
  {#- dbt-postgres 1.11's statement, unchanged -#}
  create {% if temporary -%}
    temporary
  {%- elif unlogged -%}
    unlogged
  {%- endif %} table {{ relation }}
  {% if contract_config.enforced %}
    {{ get_assert_columns_equivalent(sql) }}
  {% endif -%}
  {% if contract_config.enforced and (not temporary) -%}
      {{ get_table_columns_and_constraints() }} ;
    insert into {{ relation }} (
      {{ adapter.dispatch('get_column_names', 'dbt')() }}
    )
    {%- set sql = get_select_subquery(sql) %}
  {% else %}
    as
  {% endif %}
  (
    {{ sql }}
  );
  {%- else %}
    {{ get_assert_columns_equivalent(sql) }}
    create {% if unlogged %}unlogged {% endif %}table {{ relation }} as (
      {{ get_select_subquery(sql) }}
    );
    {%- set not_null = [] -%}
    {%- for column in model['columns'].values() -%}
      {%- if column.get('constraints', []) | selectattr('type', 'equalto', 'not_null') | list -%}
        {%- do not_null.append(adapter.quote(column['name'])) -%}
      {%- endif -%}
    {%- endfor %}
    {% if not_null %}
    alter table {{ relation }}
      {% for name in not_null %}alter column {{ name }} set not null{{ ", " if not loop.last }}{% endfor %};
    {% endif %}
  {%- endif -%}
{%- endmacro %}
