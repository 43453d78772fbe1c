{#
  Spend per day equals the sum over placements of their pricing rule, recomputed here from the catalog and
  the credits rather than read from the mart's own parts:
    cpm and cpa exactly (rate x impressions / 1000, rate x conversions under the reporting model), where a
    cpm placement's impressions are the host's deliveries except on the days Earmark counted the tenant's
    request logs for a placement with ad slots: then its delivered ads in the tenant's download window;
    flat within a cent of fee / flight days on every day, and exactly the fee (to the cent) over the flight.
  Fails with one row per (tenant, day) or flat placement that breaks it.
#}
{% test spend_follows_pricing(model) %}
with placements as (
    select p.tenant_id, p.placement_id, p.pricing, p.rate,
        coalesce(p.starts_on, c.starts_on) as flight_start,
        greatest(coalesce(p.ends_on, c.ends_on), coalesce(p.starts_on, c.starts_on)) as flight_end
    from {{ source('catalog', 'placements') }} as p
    join {{ source('catalog', 'campaigns') }} as c
        on c.tenant_id = p.tenant_id and c.campaign_id = p.campaign_id
),

slotted as (
    select distinct tenant_id, placement_id from {{ source('catalog', 'ad_slots') }} where placement_id is not null
),

impressions as (
    select d.tenant_id, d.placement_id, d.day, d.impressions
    from {{ source('catalog', 'deliveries') }} as d
    where not exists (
        select from slotted
        join {{ source('downloads', 'counted_days') }} as c on c.tenant_id = slotted.tenant_id
        where slotted.tenant_id = d.tenant_id and slotted.placement_id = d.placement_id and c.day = d.day)
    union all
    select a.tenant_id, s.placement_id, a.day, a.impressions
    from {{ source('downloads', 'ad_deliveries') }} as a
    join {{ source('catalog', 'ad_slots') }} as s on s.tenant_id = a.tenant_id and s.ad_id = a.ad_id
    join {{ source('app', 'tenant_settings') }} as t on t.tenant_id = a.tenant_id and t.download_window = a.mode
    where s.placement_id is not null
),

metered as (
    select d.tenant_id, d.day, sum(p.rate * d.impressions / 1000) as spend
    from impressions as d
    join placements as p on p.tenant_id = d.tenant_id and p.placement_id = d.placement_id
    where p.pricing = 'cpm'
    group by 1, 2
    union all
    select credits.tenant_id, credits.conversion_date, sum(p.rate * credits.conversions::numeric)
    from {{ ref('fct_daily_show_credits') }} as credits
    join {{ source('app', 'tenant_settings') }} as s
        on s.tenant_id = credits.tenant_id and s.reporting_model = credits.model
    join placements as p on p.tenant_id = credits.tenant_id and p.placement_id = credits.placement_id
    where p.pricing = 'cpa'
    group by 1, 2
),

flat_days as (
    select p.tenant_id, day::date as day, p.rate / (p.flight_end - p.flight_start + 1) as spend
    from placements as p
    cross join lateral generate_series(p.flight_start, p.flight_end, interval '1 day') as day
    where p.pricing = 'flat'
),

expected as (
    select tenant_id, day, sum(spend) as metered, 0 as flat, 0 as flat_placements from metered group by 1, 2
    union all
    select tenant_id, day, 0, sum(spend), count(*) from flat_days group by 1, 2
),

per_day as (
    select tenant_id, day, sum(metered) as metered, sum(flat) as flat, sum(flat_placements) as flat_placements
    from expected
    group by 1, 2
),

actual as (
    select tenant_id, spend_date as day,
        sum(spend) filter (where pricing <> 'flat') as metered,
        sum(spend) filter (where pricing = 'flat') as flat
    from {{ model }}
    group by 1, 2
),

daily_mismatches as (
    select coalesce(e.tenant_id, a.tenant_id) as tenant_id, coalesce(e.day, a.day) as day,
        e.metered as expected_metered, a.metered as actual_metered, e.flat as expected_flat, a.flat as actual_flat
    from per_day as e
    full outer join actual as a on a.tenant_id = e.tenant_id and a.day = e.day
    where abs(coalesce(e.metered, 0) - coalesce(a.metered, 0)) > 1e-6
       or abs(coalesce(e.flat, 0) - coalesce(a.flat, 0)) > 0.01 * greatest(coalesce(e.flat_placements, 0), 1)
),

flat_totals as (
    select p.tenant_id, null::date as day, round(p.rate, 2) as expected_metered, sum(m.spend) as actual_metered,
        null::numeric as expected_flat, null::numeric as actual_flat
    from placements as p
    left join {{ model }} as m on m.tenant_id = p.tenant_id and m.placement_id = p.placement_id
    where p.pricing = 'flat'
    group by p.tenant_id, p.placement_id, p.rate
    having coalesce(sum(m.spend), 0) <> round(p.rate, 2)
)

select * from daily_mismatches
union all
select * from flat_totals
{% endtest %}
