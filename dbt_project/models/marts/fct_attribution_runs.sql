{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    indexes=[{'columns': ['tenant_id', 'computed_at']}],
) }}
-- One row per tenant recomputed by a run: what was recomputed, the settings used, and the checks that
-- every model's credits sum to the tenant's conversions and its revenue credits to its revenue.
-- Never dropped by --full-refresh: it is the history, and the next run's "last run" watermark.
-- It is written after every incremental mart (the show credits are not among its inputs, hence the
-- depends_on): a mart that failed must keep the watermark where it was, so the next run redoes its days.
-- depends_on: {{ ref('fct_daily_show_credits') }}

with scope as (
    select
        tenant_id,
        count(*) as dates_recomputed,
        min(conversion_date) as first_date_recomputed,
        max(conversion_date) as last_date_recomputed
    from {{ ref('int_attribution_scopes') }}
    group by tenant_id
),

conversions as (
    select
        tenant_id,
        count(*) as conversions,
        count(*) filter (where path_length > 0) as conversions_with_path,
        sum(path_length) as touches_credited,
        sum(revenue) as revenue
    from {{ ref('fct_conversion_paths') }}
    where tenant_id in (select tenant_id from scope)
    group by tenant_id
),

model_totals as (
    select
        tenant_id,
        model,
        sum(conversions) as credited_conversions,
        sum(revenue) as credited_revenue
    from {{ ref('fct_daily_channel_credits') }}
    where tenant_id in (select tenant_id from scope)
    group by tenant_id, model
),

sum_checks as (
    select
        model_totals.tenant_id,
        count(*) as models,
        max(abs(model_totals.credited_conversions - conversions.conversions)) as credit_sum_max_error,
        max(abs(model_totals.credited_revenue - conversions.revenue)) as revenue_sum_max_error
    from model_totals
    join conversions on conversions.tenant_id = model_totals.tenant_id
    group by model_totals.tenant_id
)

select
    scope.tenant_id,
    '{{ attribution_option("attribution_run_id") or invocation_id }}'::text as run_id,
    '{{ run_started_at.isoformat() }}'::timestamptz as computed_at,
    {{ 'true' if flags.FULL_REFRESH else 'false' }} as full_refresh,
    scope.dates_recomputed,
    scope.first_date_recomputed,
    scope.last_date_recomputed,
    coalesce(conversions.conversions, 0) as conversions,
    coalesce(conversions.conversions_with_path, 0) as conversions_with_path,
    coalesce(conversions.conversions_with_path::double precision / nullif(conversions.conversions, 0), 0)
        as path_share,
    coalesce(conversions.touches_credited, 0) as touches_credited,
    coalesce(conversions.revenue, 0) as revenue,
    coalesce(sum_checks.models, 0) as models_checked,
    coalesce(sum_checks.credit_sum_max_error, 0) as credit_sum_max_error,
    coalesce(sum_checks.revenue_sum_max_error, 0) as revenue_sum_max_error,
    settings.lookback_days,
    settings.time_decay_half_life_days,
    settings.position_first_weight,
    settings.position_last_weight,
    settings.catalog_revision
from scope
join {{ ref('int_attribution_settings') }} as settings on settings.tenant_id = scope.tenant_id
left join conversions on conversions.tenant_id = scope.tenant_id
left join sum_checks on sum_checks.tenant_id = scope.tenant_id
