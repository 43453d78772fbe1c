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
-- depends_on: {{ ref('int_attribution_scopes') }}
-- Credit (conversions) and revenue credit per day, show, campaign, placement and model: what attribution by
-- show, CPA billing and economics read. '(none)' is the show of touches without one and of empty paths, so
-- each model's show credits still sum to the tenant's conversions (data test below).

{{ daily_credits(['show_id', 'campaign_id', 'placement_id']) }}
