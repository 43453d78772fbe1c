{{ config(indexes=[{'columns': ['tenant_id', 'channel']}]) }}
-- Channel x model over all conversion dates, with each model's share of the tenant's conversions and
-- revenue (a share is null when the tenant has no revenue at all).

with channel_totals as (
    select
        tenant_id,
        channel,
        model,
        sum(conversions) as conversions,
        sum(revenue) as revenue
    from {{ ref('fct_daily_channel_credits') }}
    group by tenant_id, channel, model
)

select
    tenant_id,
    channel,
    model,
    conversions,
    revenue,
    conversions / nullif(sum(conversions) over per_model, 0) as conversion_share,
    revenue / nullif(sum(revenue) over per_model, 0) as revenue_share
from channel_totals
window per_model as (partition by tenant_id, model)
