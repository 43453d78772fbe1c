{#
  Pre-hook of the incremental attribution marts: delete every scoped (tenant, conversion date) before the
  insert. dbt's delete+insert deletes only the keys its new rows have, so a date that lost all its
  conversions (a data-subject erasure, a corrected file) would keep its old rows forever. Runs in the
  model's transaction: a failed insert rolls the delete back with it.
#}
{% macro clear_scoped_dates() %}
  {%- if is_incremental() -%}
    delete from {{ this }} as target
    using {{ ref('int_attribution_scopes') }} as scope
    where target.tenant_id = scope.tenant_id
      and target.conversion_date = scope.conversion_date
  {%- else -%}
    select 1
  {%- endif -%}
{% endmacro %}
