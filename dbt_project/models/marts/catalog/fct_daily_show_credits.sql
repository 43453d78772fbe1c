{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['tenant_id', 'conversion_date'],
    indexes=[
        {'columns': ['tenant_id', 'conversion_date']},
        {'columns': ['tenant_id', 'model', 'conversion_date']},
    ],
) }}
-- depends_on: {{ ref('int_attribution_scopes') }}
-- Credit (conversions) and revenue credit per day, show, campaign, placement and model: what attribution by
-- show, CPA billing and economics read. '(none)' is the show of touches without one and of empty paths, so
-- each model's show credits still sum to the tenant's conversions (data test below).

with touches as (
    select * from {{ ref('fct_touch_credits') }}
    {% if is_incremental() %}
    where (tenant_id, conversion_date) in (
        select tenant_id, conversion_date from {{ ref('int_attribution_scopes') }}
    )
    {% endif %}
),

daily as (
    select
        tenant_id,
        conversion_date,
        show_id,
        campaign_id,
        placement_id,
        sum(first_touch_credit) as first_touch_credit,
        sum(first_touch_revenue_credit) as first_touch_revenue,
        sum(last_touch_credit) as last_touch_credit,
        sum(last_touch_revenue_credit) as last_touch_revenue,
        sum(linear_credit) as linear_credit,
        sum(linear_revenue_credit) as linear_revenue,
        sum(time_decay_credit) as time_decay_credit,
        sum(time_decay_revenue_credit) as time_decay_revenue,
        sum(position_based_credit) as position_based_credit,
        sum(position_based_revenue_credit) as position_based_revenue
    from touches
    group by tenant_id, conversion_date, show_id, campaign_id, placement_id
)

select
    daily.tenant_id,
    daily.conversion_date,
    models.model,
    daily.show_id,
    daily.campaign_id,
    daily.placement_id,
    models.conversions,
    models.revenue
from daily
cross join lateral (
    values
        ('first_touch', daily.first_touch_credit, daily.first_touch_revenue),
        ('last_touch', daily.last_touch_credit, daily.last_touch_revenue),
        ('linear', daily.linear_credit, daily.linear_revenue),
        ('time_decay', daily.time_decay_credit, daily.time_decay_revenue),
        ('position_based', daily.position_based_credit, daily.position_based_revenue)
) as models (model, conversions, revenue)
