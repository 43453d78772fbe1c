-- The earliest UTC day whose attribution can have changed since the last run, over the given tenants:
-- every_day when a tenant was never attributed or its settings or catalog differ from what its last run
-- recorded (int_attribution_scopes recomputes such a tenant whole, by the same comparison), else the
-- earlier of the last runs' own days and the first day of an event loaded since.
-- The oldest watermark is also a constant of the query (an InitPlan), so raw.events' BRIN index on
-- loaded_at skips every block loaded before it instead of reading the table.
with last_runs as (
    select distinct on (tenants.tenant_id)
        tenants.tenant_id,
        runs.computed_at,
        runs.lookback_days,
        runs.time_decay_half_life_days,
        runs.position_first_weight,
        runs.position_last_weight,
        -- runs recorded before the catalog existed have no such column (to_jsonb reads it as null)
        (to_jsonb(runs) ->> 'catalog_revision')::bigint as catalog_revision
    from unnest(%(tenant_ids)s::uuid[]) as tenants (tenant_id)
    left join analytics.fct_attribution_runs as runs on runs.tenant_id = tenants.tenant_id
    order by tenants.tenant_id, runs.computed_at desc nulls last
),

stale as (
    select
        last_runs.tenant_id,
        last_runs.computed_at,
        last_runs.computed_at is null
        or settings.updated_at > last_runs.computed_at
        or settings.lookback_days is distinct from last_runs.lookback_days
        or settings.time_decay_half_life_days is distinct from last_runs.time_decay_half_life_days
        or settings.position_first_weight is distinct from last_runs.position_first_weight
        or settings.position_last_weight is distinct from last_runs.position_last_weight
        or coalesce(revisions.revision, 0) is distinct from last_runs.catalog_revision as every_day
    from last_runs
    left join app.tenant_settings as settings on settings.tenant_id = last_runs.tenant_id
    left join catalog.revisions as revisions on revisions.tenant_id = last_runs.tenant_id
)

select
    bool_or(every_day) as every_day,
    least(
        min((computed_at at time zone 'UTC')::date),
        (
            select min((events.occurred_at at time zone 'UTC')::date)
            from stale
            join raw.events as events
                on events.tenant_id = stale.tenant_id and events.loaded_at > stale.computed_at
            where events.loaded_at > (select min(computed_at) from stale)
        )
    ) as first_day
from stale
