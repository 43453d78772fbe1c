{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['tenant_id', 'conversion_date'],
    pre_hook="{{ clear_scoped_dates() }}",
    indexes=[{'columns': ['tenant_id', 'conversion_date']}],
) }}
-- depends_on: {{ ref('int_attribution_scopes') }}
-- One row per conversion: its path as channels in touch order ('(none)' when empty), untransformed
-- (repeated channels stay, so 'podcast > podcast > search' has length 3). fct_touch_credits computes the
-- path in its window pass and keeps it on the conversion's closing row (touch_position = path_length:
-- the last touch, or the '(none)' row), so this is a filter, not a sort of every touch.

select
    tenant_id,
    conversion_event_id,
    user_id,
    conversion_date,
    converted_at,
    revenue,
    conversion_path as path,
    path_length,
    conversion_touch_event_ids as touch_event_ids,
    conversion_first_touch_at as first_touch_at,
    touched_at as last_touch_at
from {{ ref('fct_touch_credits') }}
where touch_position = path_length
{% if is_incremental() %}
  and (tenant_id, conversion_date) in (
      select tenant_id, conversion_date from {{ ref('int_attribution_scopes') }}
  )
{% endif %}
