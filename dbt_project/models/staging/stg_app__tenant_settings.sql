with source as (
    select * from {{ source('app', 'tenant_settings') }}
),

renamed as (
    select
        tenant_id,
        lookback_days,
        lookback_days * 86400 as lookback_seconds,
        time_decay_half_life_days,
        time_decay_half_life_days * 86400.0 as half_life_seconds,
        position_first_weight,
        position_last_weight,
        reporting_model,
        download_window,
        country,
        currency,
        updated_at as settings_updated_at
    from source
)

select * from renamed
