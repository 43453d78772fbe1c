{#
  Every model's credits sum to the tenant's conversions, and its revenue credits to the tenant's revenue
  (relative tolerance 1e-9 for floating-point summation order). Fails with one row per broken tenant x model.
#}
{% test credits_sum_to_conversions(model) %}
with credited as (
    select tenant_id, model as attribution_model, sum(conversions) as conversions, sum(revenue) as revenue
    from {{ model }}
    group by tenant_id, model
),

actual as (
    select tenant_id, count(*)::double precision as conversions, sum(revenue) as revenue
    from {{ ref('fct_conversion_paths') }}
    group by tenant_id
),

models as (
    select attribution_model
    from (values ('first_touch'), ('last_touch'), ('linear'), ('time_decay'), ('position_based'))
        as names (attribution_model)
)

select
    actual.tenant_id,
    models.attribution_model,
    actual.conversions,
    credited.conversions as credited_conversions,
    actual.revenue,
    credited.revenue as credited_revenue
from actual
cross join models
left join credited
    on credited.tenant_id = actual.tenant_id
    and credited.attribution_model = models.attribution_model
where credited.tenant_id is null
   or abs(credited.conversions - actual.conversions) > 1e-9 * greatest(1, actual.conversions)
   or abs(credited.revenue - actual.revenue) > 1e-9 * greatest(1, actual.revenue)
{% endtest %}

{# The latest run of each tenant recorded balanced sums for all five models. #}
{% test latest_run_sums_balance(model) %}
select *
from (
    select distinct on (tenant_id) *
    from {{ model }}
    order by tenant_id, computed_at desc
) as latest
where conversions > 0
  and (models_checked <> 5
       or credit_sum_max_error > 1e-9 * greatest(1, conversions)
       or revenue_sum_max_error > 1e-9 * greatest(1, revenue))
{% endtest %}
