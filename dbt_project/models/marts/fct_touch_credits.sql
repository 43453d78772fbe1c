{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['tenant_id', 'conversion_date'],
    indexes=[{'columns': ['tenant_id', 'conversion_date']}],
    pre_hook=["set local work_mem = '512MB'", "{{ clear_scoped_dates() }}"],
) }}
-- depends_on: {{ ref('int_attribution_scopes') }}
{#
  The attribution engine. One row per (conversion, touch in its path) with the credit and revenue
  credit of all five models side by side (wide: one row per touch, not per touch x model), or one
  '(none)' row (touch_position 0, channel and campaign '(none)') per conversion whose path is empty.
  The other marts aggregate this table; path rules are documented in the project README. Each touch also
  carries its show and placement in the catalog (macros/resolve_catalog.sql).

  Paths, per (tenant, user), in the order (occurred_at, touches before conversions at the same second,
  event_id): a touch belongs to the first conversion at or after it, if that conversion is at most the
  tenant's lookback later. So a touch at a conversion's second is that conversion's, the later of two
  same-second conversions has an empty path, and touches after a user's last conversion are never credited.

  Two window passes, no touch x conversion join: newest-first, a running count of conversions numbers the
  path each event closes into and a running min gives that conversion's time; then per path, one
  whole-path window gives position, length, the closing conversion and the time-decay normaliser for all
  five models at once. user_id leads the window keys (before tenant_id) because Postgres abbreviates only
  the first sort key: a uuid first, equal for every row of a tenant, made the sort twice as slow.
#}

with settings as (
    select
        tenant_id,
        make_interval(secs => lookback_seconds) as lookback,
        half_life_seconds,
        position_first_weight,
        position_last_weight
    from {{ ref('int_attribution_settings') }}
),

events as not materialized (
    -- suppressed rows (a lower signal, a retired touch, a changed link) only tell the scopes which dates
    -- changed: never part of a path. `not is_suppressed` (never null), not `is not true`: Postgres turns
    -- `not (x is not null)` over the left join into an anti-join it can estimate; `is not true` it
    -- estimated at one row once households.suppressed had statistics, and the nested loops that followed
    -- ran a 66 s build for more than ten minutes.
    select * from {{ ref('stg_raw__events') }} where not is_suppressed
),

{% if is_incremental() %}
-- not materialized: a CTE scan is parallel-restricted and kept both scans of the events serial
scope as not materialized (
    select tenant_id, conversion_date from {{ ref('int_attribution_scopes') }}
),

scope_spans as not materialized (
    select
        tenant_id,
        min(conversion_date)::timestamp at time zone 'UTC' as span_start,
        (max(conversion_date) + 1)::timestamp at time zone 'UTC' as span_end
    from scope
    group by tenant_id
),

scoped_conversions as (
    select events.tenant_id, events.user_id
    from scope_spans
    join events
        on events.tenant_id = scope_spans.tenant_id
        and events.occurred_at >= scope_spans.span_start
        and events.occurred_at < scope_spans.span_end
    where events.is_conversion
      and exists (
          select from scope
          where scope.tenant_id = events.tenant_id
            and scope.conversion_date = (events.occurred_at at time zone 'UTC')::date
      )
),

-- Paths end at a scoped conversion and reach back at most the tenant's lookback. Materialized on purpose:
-- a day's scoped users hold about 1 % of the events, and without the fence the planner joined the catalog
-- to every event of the span before the semi-join shrank them (0.8 s of a 3 s model at 1 M journeys).
scoped_events as materialized (
    select events.*
    from events
    join settings on settings.tenant_id = events.tenant_id
    join scope_spans on scope_spans.tenant_id = events.tenant_id
    where events.occurred_at >= scope_spans.span_start - settings.lookback
      and events.occurred_at < scope_spans.span_end
      and (events.tenant_id, events.user_id) in (select tenant_id, user_id from scoped_conversions)
),
{% else %}
-- Only users with a conversion in scope can earn credit: the semi-join below shrinks the sort to a
-- third of the events (touches outside every path are dropped after the first window pass).
scoped_conversions as (
    select tenant_id, user_id from events where is_conversion
),
{% endif %}

-- The settings ride along from here: joining them after the first window pass would lose its sort order
-- and force a full re-sort for the second. So does the touch's place in the catalog (resolve_catalog).
user_events as (
    select
        events.tenant_id,
        events.user_id,
        events.event_id,
        events.occurred_at,
        events.is_conversion,
        events.channel,
        {{ resolve_catalog('events') }},
        events.revenue,
        settings.lookback,
        settings.half_life_seconds,
        settings.position_first_weight,
        settings.position_last_weight
    from {{ 'scoped_events' if is_incremental() else 'events' }} as events
    join settings on settings.tenant_id = events.tenant_id
    {{ join_catalog('events') }}
    {% if not is_incremental() %}
    -- a plain semi-join (no distinct first) lets the planner build a parallel hash from both scans
    where (events.tenant_id, events.user_id) in (select tenant_id, user_id from scoped_conversions)
    {% endif %}
),

closing_conversions as (
    -- Newest first a conversion sorts before same-second touches, so the latest conversion seen so far
    -- is the one closing the current event's path (running min of time = that conversion's time).
    select
        user_events.*,
        count(*) filter (where is_conversion) over newest_first as path_number,
        min(occurred_at) filter (where is_conversion) over newest_first as converted_at
    from user_events
    window newest_first as (
        partition by user_id collate "C", tenant_id
        order by occurred_at desc, is_conversion desc, event_id collate "C" desc
        rows between unbounded preceding and current row
    )
),

path_events as (
    select
        *,
        case
            when not is_conversion
                then power(2.0::double precision, -date_part('epoch', converted_at - occurred_at) / half_life_seconds)
        end as decay_weight
    from closing_conversions
    where path_number > 0
      and (is_conversion or occurred_at >= converted_at - lookback)
),

positioned as (
    -- Within a path oldest first the touches are rows 1..n and the conversion row n + 1. One whole-path
    -- window (row_number ignores the frame) gives position, length, the closing conversion, the time-decay
    -- normaliser and the path itself for all five models and the path mart at once. Its sort is only
    -- within each user's rows: the first pass already ordered them (an incremental sort).
    select
        path_events.*,
        -- one conversion per path: an aggregate is computed once per path, last_value seeks per row
        max(event_id) filter (where is_conversion) over whole_path as conversion_event_id,
        max(revenue) filter (where is_conversion) over whole_path as conversion_revenue,
        (count(*) over whole_path - 1)::integer as path_length,
        row_number() over whole_path::integer as row_in_path,
        sum(decay_weight) over whole_path as decay_total,
        string_agg(channel, ' > ') over whole_path as channels,
        array_agg(event_id) filter (where not is_conversion) over whole_path as path_touch_event_ids,
        min(occurred_at) filter (where not is_conversion) over whole_path as path_first_touch_at
    from path_events
    window whole_path as (
        partition by user_id collate "C", tenant_id, path_number
        order by occurred_at, is_conversion, event_id collate "C"
        rows between unbounded preceding and unbounded following
    )
),

path_touches as (
    select
        tenant_id,
        conversion_event_id,
        user_id,
        (converted_at at time zone 'UTC')::date as conversion_date,
        converted_at,
        conversion_revenue as revenue,
        case when is_conversion then 0 else row_in_path end as touch_position,
        path_length,
        case when not is_conversion then event_id end as touch_event_id,
        case when not is_conversion then occurred_at end as touched_at,
        case when is_conversion then '(none)' else channel end as channel,
        case when is_conversion then '(none)' else campaign_id end as campaign_id,
        case when is_conversion then '(none)' else show_id end as show_id,
        case when is_conversion then '(none)' else placement_id end as placement_id,
        decay_weight,
        decay_total,
        position_first_weight,
        position_last_weight,
        -- the path travels on its closing row only (the last touch, or the '(none)' row)
        case when is_conversion or row_in_path = path_length then coalesce(channels, '(none)') end
            as conversion_path,
        case when is_conversion or row_in_path = path_length then coalesce(path_touch_event_ids, '{}') end
            as conversion_touch_event_ids,
        case when is_conversion or row_in_path = path_length then path_first_touch_at end
            as conversion_first_touch_at
    from positioned
    -- a conversion row stays only as the '(none)' credit of an empty path
    where not is_conversion or path_length = 0
),

credited as (
    select
        tenant_id,
        conversion_event_id,
        conversion_date,
        touch_position,
        touch_event_id,
        channel,
        campaign_id,
        show_id,
        placement_id,
        user_id,
        converted_at,
        revenue,
        path_length,
        touched_at,
        conversion_path,
        conversion_touch_event_ids,
        conversion_first_touch_at,
        case when touch_position <= 1 then 1.0 else 0.0 end::double precision as first_touch_credit,
        case when touch_position = path_length then 1.0 else 0.0 end::double precision as last_touch_credit,
        case when path_length = 0 then 1.0 else 1.0::double precision / path_length end as linear_credit,
        case when path_length = 0 then 1.0 else decay_weight / decay_total end::double precision
            as time_decay_credit,
        case
            when path_length <= 1 then 1.0
            when path_length = 2 then 0.5
            when touch_position = 1 then position_first_weight
            when touch_position = path_length then position_last_weight
            else (1.0 - position_first_weight - position_last_weight) / (path_length - 2)
        end::double precision as position_based_credit
    from path_touches
    {% if is_incremental() %}
    where exists (
        select from scope
        where scope.tenant_id = path_touches.tenant_id
          and scope.conversion_date = path_touches.conversion_date
    )
    {% endif %}
)

select
    tenant_id,
    conversion_event_id,
    conversion_date,
    touch_position,
    touch_event_id,
    channel,
    campaign_id,
    first_touch_credit,
    last_touch_credit,
    linear_credit,
    time_decay_credit,
    position_based_credit,
    first_touch_credit * revenue as first_touch_revenue_credit,
    last_touch_credit * revenue as last_touch_revenue_credit,
    linear_credit * revenue as linear_revenue_credit,
    time_decay_credit * revenue as time_decay_revenue_credit,
    position_based_credit * revenue as position_based_revenue_credit,
    user_id,
    converted_at,
    revenue,
    path_length,
    touched_at,
    conversion_path,
    conversion_touch_event_ids,
    conversion_first_touch_at,
    show_id,
    placement_id
from credited
