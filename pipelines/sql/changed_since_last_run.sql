-- The earliest UTC day whose attribution can have changed since the last run, over the given tenants:
-- null when a tenant was never attributed or its settings or catalog changed since (then every day can
-- have), else the earlier of the last run's own day and the first day of an event loaded since.
-- raw.events' BRIN index on loaded_at finds the events loaded since without reading the table.
with last_runs as (
    select distinct on (tenants.tenant_id)
        tenants.tenant_id,
        runs.computed_at,
        runs.catalog_revision
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
        )
    ) as first_day
from stale
