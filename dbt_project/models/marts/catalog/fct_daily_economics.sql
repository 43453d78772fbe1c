{{ config(indexes=[{'columns': ['tenant_id', 'model', 'day']}]) }}
{#
  What each campaign and show cost and earned per UTC day and model: spend and impressions (one bill,
  the same under every model) beside the conversions and revenue each model attributes. A campaign or show
  the catalog does not know is '(unknown)'; touches without one are '(none)'. Figures stay in the
  campaign's currency (the tenant's for campaigns outside the catalog), and every report groups by it.
  The API and `earmark economics export` sum a window of days and divide: CPA, ROAS, CPM and conversions
  per thousand impressions, null where the divisor is zero.
#}

with campaigns as (
    select tenant_id, campaign_id, currency from {{ ref('stg_catalog__campaigns') }}
),

spend as (
    select
        tenant_id,
        spend_date as day,
        currency,
        campaign_id,
        show_id,
        sum(spend) as spend,
        sum(impressions) as impressions,
        sum(impressions) filter (where impressions_source = 'earmark_counted') as counted_impressions
    from {{ ref('fct_daily_spend') }}
    group by tenant_id, spend_date, currency, campaign_id, show_id
),

models as (
    select model
    from (values ('first_touch'), ('last_touch'), ('linear'), ('time_decay'), ('position_based')) as m (model)
),

credits as (
    select
        credits.tenant_id,
        credits.conversion_date as day,
        credits.model,
        coalesce(campaigns.currency, settings.currency) as currency,
        case
            when credits.campaign_id = '(none)' or campaigns.campaign_id is not null then credits.campaign_id
            else '(unknown)'
        end as campaign_id,
        credits.show_id,
        sum(credits.conversions) as conversions,
        sum(credits.revenue) as revenue
    from {{ ref('fct_daily_show_credits') }} as credits
    join {{ ref('stg_app__tenant_settings') }} as settings on settings.tenant_id = credits.tenant_id
    left join campaigns
        on campaigns.tenant_id = credits.tenant_id
        and campaigns.campaign_id = credits.campaign_id
    group by 1, 2, 3, 4, 5, 6
),

billed as (
    select spend.*, models.model
    from spend
    cross join models
)

select
    coalesce(billed.tenant_id, credits.tenant_id) as tenant_id,
    coalesce(billed.day, credits.day) as day,
    coalesce(billed.model, credits.model) as model,
    coalesce(billed.currency, credits.currency) as currency,
    coalesce(billed.campaign_id, credits.campaign_id) as campaign_id,
    coalesce(billed.show_id, credits.show_id) as show_id,
    coalesce(billed.spend, 0) as spend,
    coalesce(billed.impressions, 0)::bigint as impressions,
    coalesce(billed.counted_impressions, 0)::bigint as counted_impressions,
    coalesce(credits.conversions, 0) as conversions,
    coalesce(credits.revenue, 0) as revenue
from billed
full outer join credits
    on credits.tenant_id = billed.tenant_id
    and credits.day = billed.day
    and credits.model = billed.model
    and credits.currency = billed.currency
    and credits.campaign_id = billed.campaign_id
    and credits.show_id = billed.show_id
