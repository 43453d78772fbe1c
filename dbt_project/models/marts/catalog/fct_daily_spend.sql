{{ config(indexes=[{'columns': ['tenant_id', 'spend_date']}]) }}
{#
  Spend per UTC day and placement (with its campaign, show and currency), by the placement's pricing:
    cpm   rate x impressions / 1000, from the host's reported deliveries of that day;
    flat  the fee spread evenly over the flight's days (the placement's, else its campaign's), in whole
          cents: each day gets fee / days rounded down to the cent and the first (remainder) days a cent
          more, so the days add up to the fee exactly, as an invoice would;
    cpa   rate x conversions attributed to the placement on that conversion date, under the tenant's
          reporting model (app.tenant_settings.reporting_model).
  Impressions are the deliveries of every placement, whatever its pricing: Earmark's own count of delivered
  ads (downloads.ad_deliveries, in the tenant's download_window mode) for a placement with ad slots on the days
  Earmark counted the tenant's request logs, else the host's reported deliveries; impressions_source says
  which ('earmark_counted' or 'host_reported'). Money stays numeric and in the
  campaign's currency. Rebuilt whole on every run: it is small (placements x days) and follows catalog
  edits and the reporting model at once.
#}

with placements as (
    select
        placements.tenant_id,
        placements.placement_id,
        placements.campaign_id,
        placements.show_id,
        placements.pricing,
        placements.rate,
        campaigns.currency,
        coalesce(placements.starts_on, campaigns.starts_on) as flight_start,
        -- never before its start: the import and the API refuse such a flight, but a campaign edited later
        -- can leave one behind; the fee then falls on the flight's first day rather than nowhere
        greatest(coalesce(placements.ends_on, campaigns.ends_on), coalesce(placements.starts_on, campaigns.starts_on))
            as flight_end
    from {{ ref('stg_catalog__placements') }} as placements
    join {{ ref('stg_catalog__campaigns') }} as campaigns
        on campaigns.tenant_id = placements.tenant_id
        and campaigns.campaign_id = placements.campaign_id
),

counted_placements as (
    select distinct tenant_id, placement_id
    from {{ ref('stg_catalog__ad_slots') }}
    where placement_id is not null
),

counted_days as (
    select counted.tenant_id, placements.placement_id, counted.counted_on as spend_date
    from {{ ref('stg_downloads__counted_days') }} as counted
    join counted_placements as placements on placements.tenant_id = counted.tenant_id
),

-- what Earmark counted: every counted day of a placement with ad slots, 0 where none of its ads was delivered
counted as (
    select days.tenant_id, days.placement_id, days.spend_date, coalesce(sum(ads.impressions), 0) as impressions,
        'earmark_counted' as impressions_source
    from counted_days as days
    join {{ ref('stg_catalog__ad_slots') }} as slots
        on slots.tenant_id = days.tenant_id and slots.placement_id = days.placement_id
    join {{ ref('stg_app__tenant_settings') }} as settings on settings.tenant_id = days.tenant_id
    left join {{ ref('stg_downloads__ad_deliveries') }} as ads
        on ads.tenant_id = days.tenant_id and ads.ad_id = slots.ad_id and ads.delivered_on = days.spend_date
        and ads.mode = settings.download_window
    group by days.tenant_id, days.placement_id, days.spend_date
),

reported as (
    select deliveries.tenant_id, deliveries.placement_id, deliveries.delivered_on as spend_date,
        deliveries.impressions, 'host_reported' as impressions_source
    from {{ ref('stg_catalog__deliveries') }} as deliveries
    where not exists (
        select from counted_days
        where counted_days.tenant_id = deliveries.tenant_id and counted_days.placement_id = deliveries.placement_id
          and counted_days.spend_date = deliveries.delivered_on)
),

delivered as (
    select tenant_id, placement_id, spend_date, impressions, 0::numeric as flat_spend,
        0::double precision as billed_conversions, impressions_source
    from counted
    union all
    select tenant_id, placement_id, spend_date, impressions, 0::numeric, 0::double precision, impressions_source
    from reported
),

flat_days as (
    select
        placements.tenant_id,
        placements.placement_id,
        flight_day::date as spend_date,
        round(placements.rate * 100) as fee_cents,
        (placements.flight_end - placements.flight_start + 1) as flight_days,
        (flight_day::date - placements.flight_start) as day_index
    from placements
    cross join lateral generate_series(placements.flight_start, placements.flight_end, interval '1 day')
        as flight_day
    where placements.pricing = 'flat'
),

flat_spread as (
    select tenant_id, placement_id, spend_date, 0::bigint as impressions,
        round((div(fee_cents, flight_days) + case when day_index < mod(fee_cents, flight_days) then 1 else 0 end)
            / 100, 2) as flat_spend,
        0::double precision as billed_conversions, null::text as impressions_source
    from flat_days
),

billed as (
    select credits.tenant_id, credits.placement_id, credits.conversion_date as spend_date,
        0::bigint as impressions, 0::numeric as flat_spend, sum(credits.conversions) as billed_conversions,
        null::text as impressions_source
    from {{ ref('fct_daily_show_credits') }} as credits
    join {{ ref('stg_app__tenant_settings') }} as settings
        on settings.tenant_id = credits.tenant_id
        and settings.reporting_model = credits.model
    join placements
        on placements.tenant_id = credits.tenant_id
        and placements.placement_id = credits.placement_id
        and placements.pricing = 'cpa'
    group by credits.tenant_id, credits.placement_id, credits.conversion_date
),

daily as (
    select tenant_id, placement_id, spend_date, sum(impressions) as impressions, sum(flat_spend) as flat_spend,
        sum(billed_conversions) as billed_conversions, max(impressions_source) as impressions_source
    from (
        select * from delivered
        union all
        select * from flat_spread
        union all
        select * from billed
    ) as parts
    group by tenant_id, placement_id, spend_date
)

select
    daily.tenant_id,
    daily.spend_date,
    placements.campaign_id,
    daily.placement_id,
    placements.show_id,
    placements.currency,
    placements.pricing,
    case placements.pricing
        when 'cpm' then placements.rate * daily.impressions / 1000
        when 'flat' then daily.flat_spend
        when 'cpa' then placements.rate * daily.billed_conversions::numeric
    end as spend,
    daily.impressions::bigint as impressions,
    daily.impressions_source,
    daily.billed_conversions
from daily
join placements
    on placements.tenant_id = daily.tenant_id
    and placements.placement_id = daily.placement_id
