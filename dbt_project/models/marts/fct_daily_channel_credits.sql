{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['tenant_id', 'conversion_date'],
    pre_hook="{{ clear_scoped_dates() }}",
    indexes=[
        {'columns': ['tenant_id', 'conversion_date']},
        {'columns': ['tenant_id', 'model', 'conversion_date']},
    ],
) }}
-- The second index serves the API's dated channel and campaign queries (measured: 38.9 ms -> 5.7 ms).
-- depends_on: {{ ref('int_attribution_scopes') }}
-- Credit (conversions) and revenue credit per day, channel, campaign and model (macros/daily_credits.sql).

{{ daily_credits(['channel', 'campaign_id']) }}
