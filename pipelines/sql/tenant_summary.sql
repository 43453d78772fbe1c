-- One line per tenant for the demo's closing table: what was loaded, what attribution found, what was spent
-- and which show returned the most on it (linear model).
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

spend as (
    -- per currency, never summed across currencies
    select tenant_id, string_agg(currency || ' ' || to_char(spend, 'FM999,999,999,990'), ', ' order by currency)
        as spend
    from (
        select tenant_id, currency, sum(spend) as spend
        from analytics.fct_daily_spend
        group by tenant_id, currency
    ) as per_currency
    group by tenant_id
),

show_economics as (
    select tenant_id, show_id, currency, sum(spend) as spend, sum(conversions) as conversions,
        sum(revenue) as revenue
    from analytics.fct_daily_economics
    where model = 'linear' and show_id not in ('(none)', '(unknown)')
    group by tenant_id, show_id, currency
),

top_show as (
    -- the show with the best return on its spend under the linear model, and what a conversion cost there
    select distinct on (tenant_id)
        tenant_id,
        show_id,
        catalog.ratio(revenue::numeric, spend) as roas,
        catalog.ratio(spend, conversions::numeric) as cpa,
        currency
    from show_economics
    where spend > 0
    order by tenant_id, roas desc nulls last, show_id
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
    c.channel as top_channel,
    s.spend,
    shows.title as top_show,
    ts.roas as top_show_roas,
    ts.cpa as top_show_cpa,
    ts.currency as top_show_currency
from app.tenants as t
left join events as e on e.tenant_id = t.id
left join rejected as r on r.tenant_id = t.id
left join linear_credit as l on l.tenant_id = t.id
left join top_last_touch as c on c.tenant_id = t.id
left join spend as s on s.tenant_id = t.id
left join top_show as ts on ts.tenant_id = t.id
left join catalog.shows as shows on shows.tenant_id = ts.tenant_id and shows.show_id = ts.show_id
where t.id = any(%(tenant_ids)s::uuid[])
order by t.name
