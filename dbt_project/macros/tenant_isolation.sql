{#
  Row-level security for every relation that holds tenant data, applied as a post-hook on every build
  because dbt drops and recreates tables (a policy added from outside would vanish on --full-refresh).
  Views run as the caller (security_invoker), so the base tables' policies apply through them.
#}
{% macro apply_tenant_isolation() %}
  {%- if model.config.materialized == 'view' -%}
    alter view {{ this }} set (security_invoker = true)
  {%- else -%}
    alter table {{ this }} enable row level security;
    alter table {{ this }} force row level security;
    drop policy if exists tenant_isolation on {{ this }};
    create policy tenant_isolation on {{ this }}
        using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
        with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
    -- FORCE applies to the owner too: dbt's own incremental deletes and inserts need this one.
    drop policy if exists platform_all on {{ this }};
    create policy platform_all on {{ this }} to earmark_transformer using (true) with check (true)
  {%- endif -%}
{% endmacro %}

{# dbt grants cover tables, not the schema: the API role needs USAGE on the marts' schema. #}
{% macro grant_api_schema_usage() %}
  {% if execute %}
    do $$
    begin
      if exists (select from pg_namespace where nspname = '{{ target.schema }}') then
        grant usage on schema {{ target.schema }} to earmark_api;
      end if;
    end
    $$
  {% endif %}
{% endmacro %}
