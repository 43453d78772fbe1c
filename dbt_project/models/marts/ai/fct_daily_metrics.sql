{{ config(indexes=[{'columns': ['tenant_id', 'scope', 'entity_id', 'metric', 'day']}]) }}
{#
  One value per tenant, series and UTC day: the daily series anomaly detection and forecasts read
  (earmark/ai/insights). A series is a show's or a campaign's metric (scope 'show' or 'campaign').

  From Earmark's own data, dense from a series' first day to the tenant's last day of data (a day without
  activity is 0, a real value, so an outage shows):
    downloads    per show: downloads Earmark counted from request logs in the tenant's download_window
                 mode, on the days it counted (a day whose logs were not loaded is missing, not 0);
    impressions  per show and campaign: delivered ads as fct_daily_spend takes them (counted or reported);
    spend        per show and campaign, in the campaign's currency (fct_daily_spend);
    conversions, revenue  per show and campaign, attributed under the tenant's reporting model;
    site_visits  per campaign: its touches that are visits to the advertiser's site (every channel but a
                 podcast listen, plus vanity-URL visits); per show: the visits that name it (vanity URL,
                 episode, placement).
  Imported (earmark metrics import): exactly the rows the tenant sent, per show; missing days stay
  missing. An imported metric with the name of one of Earmark's own replaces Earmark's series for that
  show (the host's count is the tenant's word for a show Earmark does not count).
#}

with settings as (
    select tenant_id, reporting_model, download_window, lookback_days from {{ ref('stg_app__tenant_settings') }}
),

downloads as (
    select
        downloads.tenant_id,
        'show' as scope,
        episodes.show_id as entity_id,
        'downloads' as metric,
        downloads.downloaded_on as day,
        count(*)::double precision as value
    from {{ ref('stg_downloads__downloads') }} as downloads
    join settings on settings.tenant_id = downloads.tenant_id and settings.download_window = downloads.mode
    join {{ ref('stg_catalog__episodes') }} as episodes
        on episodes.tenant_id = downloads.tenant_id and episodes.episode_id = downloads.episode_id
    group by 1, 2, 3, 4, 5
),

-- A show with counted downloads has a value (0 if nothing qualified) on every day Earmark counted.
downloads_dense as (
    select shows.tenant_id, 'show' as scope, shows.entity_id, 'downloads' as metric, counted.counted_on as day,
           coalesce(downloads.value, 0) as value
    from (select distinct tenant_id, entity_id from downloads) as shows
    join {{ ref('stg_downloads__counted_days') }} as counted on counted.tenant_id = shows.tenant_id
    left join downloads
        on downloads.tenant_id = shows.tenant_id
        and downloads.entity_id = shows.entity_id
        and downloads.day = counted.counted_on
),

spend as (
    select tenant_id, spend_date as day, campaign_id, show_id, spend::double precision as spend,
           impressions::double precision as impressions
    from {{ ref('fct_daily_spend') }}
),

economics as (
    select economics.tenant_id, economics.day, economics.campaign_id, economics.show_id,
           economics.conversions, economics.revenue
    from {{ ref('fct_daily_economics') }} as economics
    join settings on settings.tenant_id = economics.tenant_id and settings.reporting_model = economics.model
    where economics.campaign_id not in ('(none)', '(unknown)') or economics.show_id not in ('(none)', '(unknown)')
),

touches as (
    select
        events.tenant_id,
        (events.occurred_at at time zone 'UTC')::date as day,
        {{ resolve_catalog('events') }}
    from {{ ref('stg_raw__events') }} as events
    {{ join_catalog('events') }}
    -- `not is_suppressed` (never null) plans as an anti-join; see fct_touch_credits
    where not events.is_conversion and events.signal_kind is null and not events.is_suppressed
      and (events.channel <> 'podcast' or events.vanity_url is not null)
),

own as (
    select tenant_id, 'show' as scope, show_id as entity_id, 'spend' as metric, day, sum(spend) as value
    from spend group by 1, 2, 3, 4, 5
    union all
    select tenant_id, 'campaign', campaign_id, 'spend', day, sum(spend) from spend group by 1, 2, 3, 4, 5
    union all
    select tenant_id, 'show', show_id, 'impressions', day, sum(impressions)
    from spend where impressions is not null group by 1, 2, 3, 4, 5
    union all
    select tenant_id, 'campaign', campaign_id, 'impressions', day, sum(impressions)
    from spend where impressions is not null group by 1, 2, 3, 4, 5
    union all
    select tenant_id, 'show', show_id, 'conversions', day, sum(conversions)
    from economics where show_id not in ('(none)', '(unknown)') group by 1, 2, 3, 4, 5
    union all
    select tenant_id, 'campaign', campaign_id, 'conversions', day, sum(conversions)
    from economics where campaign_id not in ('(none)', '(unknown)') group by 1, 2, 3, 4, 5
    union all
    select tenant_id, 'show', show_id, 'revenue', day, sum(revenue)
    from economics where show_id not in ('(none)', '(unknown)') group by 1, 2, 3, 4, 5
    union all
    select tenant_id, 'campaign', campaign_id, 'revenue', day, sum(revenue)
    from economics where campaign_id not in ('(none)', '(unknown)') group by 1, 2, 3, 4, 5
    union all
    select tenant_id, 'show', show_id, 'site_visits', day, count(*)
    from touches where show_id not in ('(none)', '(unknown)') group by 1, 2, 3, 4, 5
    union all
    select tenant_id, 'campaign', campaign_id, 'site_visits', day, count(*)
    from touches where campaign_id not in ('(none)', '(unknown)') group by 1, 2, 3, 4, 5
),

last_days as (
    select tenant_id, max(day) as last_day from own group by tenant_id
),

-- A campaign's series end with its flight (its conversions, revenue and visits a lookback later, as its
-- touches keep earning): the days after a campaign ended are not an outage.
spans as (
    select
        own.tenant_id, own.scope, own.entity_id, own.metric, min(own.day) as first_day,
        least(
            max(last_days.last_day),
            max(campaigns.ends_on + case when own.metric in ('spend', 'impressions') then 0
                                         else settings.lookback_days end)
        ) as last_day
    from own
    join last_days on last_days.tenant_id = own.tenant_id
    join settings on settings.tenant_id = own.tenant_id
    left join {{ ref('stg_catalog__campaigns') }} as campaigns
        on own.scope = 'campaign' and campaigns.tenant_id = own.tenant_id and campaigns.campaign_id = own.entity_id
    group by 1, 2, 3, 4
),

own_dense as (
    select spans.tenant_id, spans.scope, spans.entity_id, spans.metric, days.day::date as day,
           coalesce(own.value, 0) as value
    from spans
    cross join lateral generate_series(spans.first_day, greatest(spans.first_day, spans.last_day), interval '1 day')
        as days (day)
    left join own
        on own.tenant_id = spans.tenant_id
        and own.scope = spans.scope
        and own.entity_id = spans.entity_id
        and own.metric = spans.metric
        and own.day = days.day::date
),

imported as (
    select tenant_id, 'show' as scope, show_id as entity_id, metric, day, value
    from {{ ref('stg_ai__imported_metrics') }}
),

earmark_series as (
    select *, 'earmark' as source from own_dense
    union all
    select *, 'earmark' from downloads_dense
)

select tenant_id, scope, entity_id, metric, day, value::double precision as value, source
from earmark_series
where not exists (
    select from imported
    where imported.tenant_id = earmark_series.tenant_id
        and imported.scope = earmark_series.scope
        and imported.entity_id = earmark_series.entity_id
        and imported.metric = earmark_series.metric
)
union all
select tenant_id, scope, entity_id, metric, day, value, 'imported' from imported
