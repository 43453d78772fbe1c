{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['tenant_id', 'conversion_date'],
    indexes=[{'columns': ['tenant_id', 'conversion_date']}],
) }}
-- depends_on: {{ ref('int_attribution_scopes') }}
-- One row per conversion: its path as channels in touch order ('(none)' when empty), untransformed
-- (repeated channels stay, so 'podcast > podcast > search' has length 3).

with weighted as (
    select * from {{ ref('int_conversion_touches_weighted') }}
    {% if is_incremental() %}
    where (tenant_id, conversion_date) in (
        select tenant_id, conversion_date from {{ ref('int_attribution_scopes') }}
    )
    {% endif %}
)

select
    tenant_id,
    conversion_event_id,
    user_id,
    conversion_date,
    converted_at,
    revenue,
    string_agg(channel, ' > ' order by touch_position) as path,
    path_length,
    coalesce(
        array_agg(touch_event_id order by touch_position) filter (where touch_event_id is not null),
        '{}'
    ) as touch_event_ids,
    min(touched_at) as first_touch_at,
    max(touched_at) as last_touch_at
from weighted
group by tenant_id, conversion_event_id, user_id, conversion_date, converted_at, revenue, path_length
