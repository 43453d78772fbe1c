{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['tenant_id', 'conversion_date'],
    indexes=[{'columns': ['tenant_id', 'conversion_date']}],
    pre_hook=[
        "set local work_mem = '512MB'",
        "set local parallel_setup_cost = 100",
        "set local parallel_tuple_cost = 0.001",
    ],
) }}
-- depends_on: {{ ref('int_attribution_scopes') }}
{#
  The attribution engine. One row per (conversion, touch in its path) with the credit and revenue
  credit of all five models side by side (wide: one row per touch, not per touch x model), or one
  '(none)' row (touch_position 0, channel and campaign '(none)') per conversion whose path is empty.
  The other marts aggregate this table; path rules are documented in the project README.

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
    from {{ ref('stg_app__tenant_settings') }}
),

events as not materialized (
    select * from {{ ref('stg_raw__events') }}
),

{% if is_incremental() %}
scope as (
    select tenant_id, conversion_date from {{ ref('int_attribution_scopes') }}
),

scope_spans as (
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
{% else %}
scoped_conversions as (
    select tenant_id, user_id from events where is_conversion
),
{% endif %}

-- Only users with a conversion in scope can earn credit: a semi-join here shrinks the sort below to a
-- third of the events (touches outside every path are dropped after the first window pass).
converting_users as (
    select distinct tenant_id, user_id
    from scoped_conversions
),

user_events as (
    select
        events.tenant_id,
        events.user_id,
        events.event_id,
        events.occurred_at,
        events.is_conversion,
        events.channel,
        events.campaign_id,
        events.revenue
    from events
    {% if is_incremental() %}
    -- paths end at a scoped conversion and reach back at most the tenant's lookback
    join scope_spans on scope_spans.tenant_id = events.tenant_id
    join settings on settings.tenant_id = events.tenant_id
    where events.occurred_at >= scope_spans.span_start - settings.lookback
      and events.occurred_at < scope_spans.span_end
      and (events.tenant_id, events.user_id) in (select tenant_id, user_id from converting_users)
    {% else %}
    where (events.tenant_id, events.user_id) in (select tenant_id, user_id from converting_users)
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
        closing_conversions.*,
        settings.position_first_weight,
        settings.position_last_weight,
        case
            when not closing_conversions.is_conversion
                then power(
                    2.0::double precision,
                    -date_part('epoch', closing_conversions.converted_at - closing_conversions.occurred_at)
                    / settings.half_life_seconds
                )
        end as decay_weight
    from closing_conversions
    join settings on settings.tenant_id = closing_conversions.tenant_id
    where closing_conversions.path_number > 0
      and (
          closing_conversions.is_conversion
          or closing_conversions.occurred_at >= closing_conversions.converted_at - settings.lookback
      )
),

positioned as (
    -- Within a path newest first the conversion is row 1, the last touch row 2. One window (row_number
    -- ignores the frame), so one WindowAgg node over the path.
    select
        path_events.*,
        first_value(event_id) over whole_path as conversion_event_id,
        first_value(revenue) over whole_path as conversion_revenue,
        (count(*) over whole_path - 1)::integer as path_length,
        (row_number() over whole_path - 1)::integer as touches_from_end,
        sum(decay_weight) over whole_path as decay_total
    from path_events
    window whole_path as (
        partition by user_id collate "C", tenant_id, path_number
        order by occurred_at desc, is_conversion desc, event_id collate "C" desc
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
        case when is_conversion then 0 else path_length - touches_from_end + 1 end as touch_position,
        path_length,
        case when not is_conversion then event_id end as touch_event_id,
        case when not is_conversion then occurred_at end as touched_at,
        case when is_conversion then '(none)' else channel end as channel,
        case when is_conversion then '(none)' else campaign_id end as campaign_id,
        decay_weight,
        decay_total,
        position_first_weight,
        position_last_weight
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
        user_id,
        converted_at,
        revenue,
        path_length,
        touched_at,
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
    touched_at
from credited
