-- One line per tenant for the demo's closing table: what was loaded and what attribution found.
with events as (
    select
        tenant_id,
        count(*) as events,
        count(*) filter (where event_type = 'touchpoint') as touchpoints,
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

ranked_channels as (
    select
        tenant_id,
        model,
        channel,
        conversions,
        row_number() over (partition by tenant_id, model order by conversions desc, channel) as rank
    from analytics.fct_model_comparison
)

select
    t.name,
    t.tier,
    coalesce(e.events, 0) as events,
    coalesce(e.touchpoints, 0) as touchpoints,
    coalesce(e.conversions, 0) as conversions,
    coalesce(e.revenue, 0)::float8 as revenue,
    coalesce(r.rejected, 0) as rejected,
    (select sum(conversions) from analytics.fct_model_comparison m
     where m.tenant_id = t.id and m.model = 'linear') as attributed_linear,
    max(c.channel) filter (where c.model = 'first_touch') as top_first_touch,
    max(c.channel) filter (where c.model = 'last_touch') as top_last_touch,
    max(c.channel) filter (where c.model = 'linear') as top_linear
from app.tenants as t
left join events as e on e.tenant_id = t.id
left join rejected as r on r.tenant_id = t.id
left join ranked_channels as c on c.tenant_id = t.id and c.rank = 1
where t.id = any(%(tenant_ids)s::uuid[])
group by t.id, t.name, t.tier, e.events, e.touchpoints, e.conversions, e.revenue, r.rejected
order by t.name
