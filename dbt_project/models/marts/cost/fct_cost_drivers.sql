{{ config(indexes=[{'columns': ['tenant_id', 'usage_date']}]) }}
{#
  What drove each tenant's direct cost per UTC day: which assets (Dagster steps: compute, database time and
  rows), which LLM models, LLM tasks and LLM calls, which tables (storage), the read API. Each kind adds up to
  the same direct cost, so rank within a kind. Exact, not rounded; the reports rank them.
#}
with priced as (
    select * from {{ ref('int_cost_usage_priced') }}
),

drivers as (
    select usage_date, tenant_id,
        case source
            when 'dagster_step' then 'asset'
            when 'ai_calls' then 'llm_model'
            when 'storage' then 'table'
            else source end as driver_kind,
        -- a step key names the asset it materialized; a model call its provider/model
        resource_id as driver,
        cost, quantity, unit
    from priced
    union all
    select usage_date, tenant_id, 'llm_task', coalesce(tags ->> 'task', '(unknown)'), cost, quantity, unit
    from priced
    where source = 'ai_calls'
    union all
    -- one provider call: its id in app.ai_calls, its task and model
    select usage_date, tenant_id, 'llm_call',
        source_event_id || ' (' || coalesce(tags ->> 'task', '?') || ', ' || resource_id || ')', cost, quantity, unit
    from priced
    where source = 'ai_calls'
)

select
    tenant_id,
    usage_date,
    driver_kind,
    driver,
    sum(cost) as billed_cost,
    count(*) as usage_rows
from drivers
group by 1, 2, 3, 4
