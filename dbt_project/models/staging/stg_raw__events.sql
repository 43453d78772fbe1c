with source as (
    select * from {{ source('raw', 'events') }}
),

renamed as (
    select
        tenant_id,
        event_id,
        user_id,
        occurred_at,
        event_type,
        event_type = 'conversion' as is_conversion,
        channel,
        campaign_id,
        revenue::double precision as revenue,
        show_id,
        episode_id,
        placement_id,
        promo_code,
        vanity_url,
        loaded_at
    from source
)

select * from renamed
