-- Cost management (issue 14). Schema `cost`:
--   platform (no tenant data): price book versions with their unit prices and shared fixed costs, the
--   usage nobody can be charged for (unattributed_usage), and the Dagster runs already read into the ledger;
--   per tenant (RLS enabled and forced, tenant_id first in every key): the usage ledger, budgets and the
--   budget alerts that fired.
-- The ledger is append-only and idempotent forever on (source, source_event_id, resource): whoever writes
-- it inserts with `on conflict do nothing`, so replaying a Dagster event log twice changes nothing. Only
-- the transformer (the pipelines) may insert; nobody gets update or delete on it.

create schema cost;
grant usage on schema cost to earmark_transformer, earmark_api;

-- A price book version: what each resource unit costs and what shared fixed costs run per month, from
-- effective_from on. The day's book is the one with the latest effective_from on or before that day
-- (ties: the latest loaded).
create table cost.price_books (
    book_id         integer generated always as identity primary key,
    version         text not null unique,
    effective_from  date not null,
    currency        text not null check (currency ~ '^[A-Z]{3}$'),
    sha256          text not null,
    source          text not null,
    loaded_at       timestamptz not null default now()
);
create table cost.unit_prices (
    book_id    integer not null references cost.price_books on delete cascade,
    resource   text not null,
    price      numeric not null check (price >= 0),
    per        numeric not null check (per > 0),
    -- a price per month of holding (storage): charged by the day, 1/days-in-month of it each day
    per_month  boolean not null default false,
    primary key (book_id, resource)
);
create table cost.shared_costs (
    book_id         integer not null references cost.price_books on delete cascade,
    name            text not null,
    monthly_amount  numeric not null check (monthly_amount >= 0),
    rule            text not null check (rule in ('metric', 'even', 'weighted')),
    metric          text,
    capacity_per_day numeric check (capacity_per_day > 0),
    primary key (book_id, name),
    check ((rule = 'metric') = (metric is not null))
);
grant select, insert on cost.price_books, cost.unit_prices, cost.shared_costs to earmark_transformer;

-- Measured usage per tenant, UTC day and resource, one row per source event and resource.
create table cost.usage_events (
    tenant_id        uuid not null references app.tenants (id) on delete cascade,
    source           text not null,
    source_event_id  text not null,
    resource         text not null,
    usage_date       date not null,
    quantity         numeric not null check (quantity >= 0),
    unit             text not null,
    -- what the usage was on: an asset's step key, a table, a provider's model
    resource_id      text not null,
    service_provider text not null default 'Earmark',
    -- the cost where the source prices it itself (LLM calls, from the dated AI price table); null where
    -- the price book's unit price applies
    billed_cost      numeric check (billed_cost >= 0),
    is_estimate      boolean not null default false,
    tags             jsonb not null default '{}',
    recorded_at      timestamptz not null default now(),
    primary key (tenant_id, source, source_event_id, resource)
);
create index usage_events_by_day on cost.usage_events (tenant_id, usage_date);

-- Usage no tenant can be charged for (a step that reported no tenant rows): its own explicit line,
-- never spread silently. Same shape without the tenant.
create table cost.unattributed_usage (
    source           text not null,
    source_event_id  text not null,
    resource         text not null,
    usage_date       date not null,
    quantity         numeric not null check (quantity >= 0),
    unit             text not null,
    resource_id      text not null,
    service_provider text not null default 'Earmark',
    billed_cost      numeric check (billed_cost >= 0),
    is_estimate      boolean not null default false,
    tags             jsonb not null default '{}',
    recorded_at      timestamptz not null default now(),
    primary key (source, source_event_id, resource)
);
create index unattributed_usage_by_day on cost.unattributed_usage (usage_date);

-- Dagster runs whose steps are in the ledger; a run is read once it has finished.
create table cost.collected_runs (
    run_id        text primary key,
    collected_at  timestamptz not null default now()
);
grant select, insert on cost.usage_events, cost.unattributed_usage, cost.collected_runs to earmark_transformer;
grant select on cost.usage_events to earmark_api;

-- A tenant's own monthly budget (without one, its tier's default in tiers.toml applies) and the alert
-- thresholds, as fractions of the budget (0.5 = 50 %); `forecast` alerts when the month-end forecast
-- passes the budget.
create table cost.budgets (
    tenant_id        uuid not null references app.tenants (id) on delete cascade,
    monthly_amount   numeric not null check (monthly_amount > 0),
    thresholds       numeric[] not null default '{0.5,0.8,1.0}'
                     check (cardinality(thresholds) between 1 and 10 and 0 < all (thresholds)),
    alert_on_forecast boolean not null default true,
    updated_at       timestamptz not null default now(),
    primary key (tenant_id)
);
-- An alert fires once per tenant, month and threshold ('50%', '80%', '100%', 'forecast').
create table cost.budget_alerts (
    tenant_id      uuid not null references app.tenants (id) on delete cascade,
    month          date not null check (month = date_trunc('month', month)::date),
    threshold      text not null,
    budget         numeric not null,
    actual         numeric not null,
    forecast       numeric not null,
    fired_at       timestamptz not null default now(),
    primary key (tenant_id, month, threshold)
);
grant select, insert, update, delete on cost.budgets to earmark_transformer, earmark_api;
grant select, insert on cost.budget_alerts to earmark_transformer;
grant select on cost.budget_alerts to earmark_api;

-- API requests per tenant and UTC day, beside the monthly quota counter (the ledger reads finished days).
create table app.tenant_usage_daily (
    tenant_id     uuid not null references app.tenants (id) on delete cascade,
    usage_date    date not null,
    api_requests  bigint not null default 0 check (api_requests >= 0),
    primary key (tenant_id, usage_date)
);
grant select, insert, update on app.tenant_usage_daily to earmark_api;
grant select on app.tenant_usage_daily to earmark_transformer;

do $$
declare
    entity text;
begin
    foreach entity in array array['cost.usage_events', 'cost.budgets', 'cost.budget_alerts',
                                  'app.tenant_usage_daily'] loop
        execute format('alter table %s enable row level security', entity);
        execute format('alter table %s force row level security', entity);
        execute format($p$create policy tenant_isolation on %s
            using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
            with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$, entity);
        execute format('create policy platform_all on %s to earmark_owner, earmark_transformer '
                       'using (true) with check (true)', entity);
    end loop;
end
$$;
