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
        coalesce(campaign_id, '(none)') as campaign_id,
        revenue::double precision as revenue,
        loaded_at
    from source
)

select * from renamed
