{#
  The events attribution reads: raw.events as ingested, and what household matching and listener signals add
  (earmark/households, issue 17):
    - a survey touch the catalog matched takes the campaign and show its answer names (survey_links);
    - a touch the dedupe order dropped, or one Earmark no longer makes, stays in the stream with
      is_suppressed, so the dates it touched are recomputed, and is never credited (fct_touch_credits);
    - household-matched exposures and conversions' promo codes arrive as touches (signal_touches), with
      signal_kind saying which; the raw events' signal_kind is null.
  A link or suppression made after the event was loaded also appears once more as a `changed` row (never
  credited) with the link's time as loaded_at, so int_attribution_scopes recomputes the event's dates; the
  raw arm keeps raw.events' own loaded_at, so that scan still skips old blocks by its BRIN index.
#}
with source as (
    select * from {{ source('raw', 'events') }}
),

links as (
    select * from {{ source('households', 'survey_links') }}
),

suppressed as (
    select * from {{ source('households', 'suppressed') }}
),

renamed as (
    select
        source.tenant_id,
        source.event_id,
        source.user_id,
        source.occurred_at,
        source.event_type,
        source.event_type = 'conversion' as is_conversion,
        source.channel,
        coalesce(source.campaign_id, links.campaign_id) as campaign_id,
        source.revenue::double precision as revenue,
        coalesce(source.show_id, links.show_id) as show_id,
        source.episode_id,
        source.placement_id,
        source.promo_code,
        source.vanity_url,
        source.loaded_at,
        suppressed.event_id is not null as is_suppressed,
        null::text as signal_kind
    from source
    left join links on links.tenant_id = source.tenant_id and links.event_id = source.event_id
    left join suppressed on suppressed.tenant_id = source.tenant_id and suppressed.event_id = source.event_id
        and suppressed.origin = 'raw'
),

signals as (
    select
        tenant_id,
        event_id,
        user_id,
        occurred_at,
        'touchpoint'::text as event_type,
        false as is_conversion,
        channel,
        campaign_id,
        0::double precision as revenue,
        show_id,
        episode_id,
        placement_id,
        null::text as promo_code,
        null::text as vanity_url,
        loaded_at,
        false as is_suppressed,
        kind as signal_kind
    from {{ source('households', 'signal_touches') }}
),

retired as (
    -- touches Earmark made before and no longer makes: only their dates matter now
    select
        tenant_id,
        event_id,
        user_id,
        occurred_at,
        'touchpoint'::text as event_type,
        false as is_conversion,
        'podcast'::text as channel,
        null::text as campaign_id,
        0::double precision as revenue,
        null::text as show_id,
        null::text as episode_id,
        null::text as placement_id,
        null::text as promo_code,
        null::text as vanity_url,
        suppressed_at as loaded_at,
        true as is_suppressed,
        dropped_kind as signal_kind
    from suppressed
    where origin = 'earmark'
),

changed as (
    select
        source.tenant_id,
        source.event_id,
        source.user_id,
        source.occurred_at,
        'touchpoint'::text as event_type,
        false as is_conversion,
        source.channel,
        null::text as campaign_id,
        0::double precision as revenue,
        null::text as show_id,
        null::text as episode_id,
        null::text as placement_id,
        null::text as promo_code,
        null::text as vanity_url,
        change.changed_at as loaded_at,
        true as is_suppressed,
        'changed'::text as signal_kind
    from (
        select tenant_id, event_id, linked_at as changed_at from links
        union all
        select tenant_id, event_id, suppressed_at from suppressed where origin = 'raw'
    ) as change
    join source on source.tenant_id = change.tenant_id and source.event_id = change.event_id
)

select * from renamed
union all
select * from signals
union all
select * from retired
union all
select * from changed
