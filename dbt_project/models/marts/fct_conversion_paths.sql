{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['tenant_id', 'conversion_date'],
    indexes=[{'columns': ['tenant_id', 'conversion_date']}],
    pre_hook="set local work_mem = '512MB'",
) }}
-- depends_on: {{ ref('int_attribution_scopes') }}
-- One row per conversion: its path as channels in touch order ('(none)' when empty), untransformed
-- (repeated channels stay, so 'podcast > podcast > search' has length 3). Grouped on the conversion id
-- alone (bytewise, collate "C"): the other columns are the same on every touch row of a conversion.

with touches as (
    select * from {{ ref('fct_touch_credits') }}
    {% if is_incremental() %}
    where (tenant_id, conversion_date) in (
        select tenant_id, conversion_date from {{ ref('int_attribution_scopes') }}
    )
    {% endif %}
)

select
    tenant_id,
    conversion_event_id,
    any_value(user_id) as user_id,
    any_value(conversion_date) as conversion_date,
    any_value(converted_at) as converted_at,
    any_value(revenue) as revenue,
    string_agg(channel, ' > ' order by touch_position) as path,
    any_value(path_length) as path_length,
    coalesce(
        array_agg(touch_event_id order by touch_position) filter (where touch_event_id is not null),
        '{}'
    ) as touch_event_ids,
    min(touched_at) as first_touch_at,
    max(touched_at) as last_touch_at
from touches
group by conversion_event_id collate "C", tenant_id
