{#
  Credit (conversions) and revenue credit per tenant, conversion date, `dimensions` and model, from the
  wide touch credits: all five models summed in one pass, then the small result unpivoted. Groups a model
  gives no credit stay as zeros, so models compare side by side over the same rows. On an incremental run
  only the scoped (tenant, date) pairs are read. The daily channel and show marts are this with their own
  dimensions.
#}
{% macro daily_credits(dimensions) %}
with touches as (
    select * from {{ ref('fct_touch_credits') }}
    {% if is_incremental() %}
    where (tenant_id, conversion_date) in (
        select tenant_id, conversion_date from {{ ref('int_attribution_scopes') }}
    )
    {% endif %}
),

daily as (
    select
        tenant_id,
        conversion_date,
        {{ dimensions | join(', ') }},
        sum(first_touch_credit) as first_touch_credit,
        sum(first_touch_revenue_credit) as first_touch_revenue,
        sum(last_touch_credit) as last_touch_credit,
        sum(last_touch_revenue_credit) as last_touch_revenue,
        sum(linear_credit) as linear_credit,
        sum(linear_revenue_credit) as linear_revenue,
        sum(time_decay_credit) as time_decay_credit,
        sum(time_decay_revenue_credit) as time_decay_revenue,
        sum(position_based_credit) as position_based_credit,
        sum(position_based_revenue_credit) as position_based_revenue
    from touches
    group by tenant_id, conversion_date, {{ dimensions | join(', ') }}
)

select
    daily.tenant_id,
    daily.conversion_date,
    models.model,
    {% for dimension in dimensions %}daily.{{ dimension }},
    {% endfor -%}
    models.conversions,
    models.revenue
from daily
cross join lateral (
    values
        ('first_touch', daily.first_touch_credit, daily.first_touch_revenue),
        ('last_touch', daily.last_touch_credit, daily.last_touch_revenue),
        ('linear', daily.linear_credit, daily.linear_revenue),
        ('time_decay', daily.time_decay_credit, daily.time_decay_revenue),
        ('position_based', daily.position_based_credit, daily.position_based_revenue)
) as models (model, conversions, revenue)
{% endmacro %}
