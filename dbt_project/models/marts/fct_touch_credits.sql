{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['tenant_id', 'conversion_date'],
    indexes=[{'columns': ['tenant_id', 'conversion_date']}],
) }}
-- depends_on: {{ ref('int_attribution_scopes') }}
-- Every touch of every path under each of the five models (zero credits included, so a path reads
-- the same under every model), and one '(none)' row per model for a conversion with an empty path.

with weighted as (
    select * from {{ ref('int_conversion_touches_weighted') }}
    {% if is_incremental() %}
    where (tenant_id, conversion_date) in (
        select tenant_id, conversion_date from {{ ref('int_attribution_scopes') }}
    )
    {% endif %}
)

select
    weighted.tenant_id,
    weighted.conversion_event_id,
    weighted.conversion_date,
    credits.model,
    weighted.touch_position,
    weighted.touch_event_id,
    weighted.channel,
    weighted.campaign_id,
    credits.credit,
    credits.credit * weighted.revenue as revenue_credit
from weighted
cross join lateral (
    values
        ('first_touch', weighted.first_touch_credit),
        ('last_touch', weighted.last_touch_credit),
        ('linear', weighted.linear_credit),
        ('time_decay', weighted.time_decay_credit),
        ('position_based', weighted.position_based_credit)
) as credits (model, credit)
