-- One line per tenant for the demo's closing table: what was loaded and what attribution found.
with events as (
    select
        tenant_id,
        count(*) as events,
        count(*) filter (where event_type = 'conversion') as conversions,
        coalesce(sum(revenue) filter (where event_type = 'conversion'), 0) as revenue
    from raw.events
    group by tenant_id
),

rejected as (
    select tenant_id, count(*) as rejected
    from raw.rejected_events
    group by tenant_id
),

linear_credit as (
    select tenant_id, sum(conversions) as attributed
    from analytics.fct_model_comparison
    where model = 'linear'
    group by tenant_id
),

top_last_touch as (
    select distinct on (tenant_id) tenant_id, channel
    from analytics.fct_model_comparison
    where model = 'last_touch'
    order by tenant_id, conversions desc, channel
)

select
    t.name,
    t.tier,
    coalesce(e.events, 0) as events,
    coalesce(e.conversions, 0) as conversions,
    coalesce(e.revenue, 0)::float8 as revenue,
    coalesce(r.rejected, 0) as rejected,
    coalesce(l.attributed, 0) as attributed,
    c.channel as top_channel
from app.tenants as t
left join events as e on e.tenant_id = t.id
left join rejected as r on r.tenant_id = t.id
left join linear_credit as l on l.tenant_id = t.id
left join top_last_touch as c on c.tenant_id = t.id
where t.id = any(%(tenant_ids)s::uuid[])
order by t.name
