-- Tenants, their attribution settings and their usage counters.
-- Every tenant table: tenant_id leads each key, RLS enabled and forced, policy on app.tenant_id.
-- Platform roles (owner for the CLI, transformer for pipelines) see every tenant; the API role
-- sees only the tenant its transaction set with set_config('app.tenant_id', ..., true).

create table app.tenants (
    id         uuid primary key default gen_random_uuid(),
    name       text not null unique check (length(name) between 1 and 200),
    tier       text not null default 'standard' check (tier in ('free', 'standard', 'enterprise')),
    status     text not null default 'active' check (status in ('active', 'suspended', 'deleted')),
    created_at timestamptz not null default now()
);
alter table app.tenants enable row level security;
alter table app.tenants force row level security;
create policy tenant_isolation on app.tenants
    using (id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (id = nullif(current_setting('app.tenant_id', true), '')::uuid);
create policy platform_all on app.tenants to earmark_owner, earmark_transformer
    using (true) with check (true);

create table app.tenant_settings (
    tenant_id                  uuid primary key references app.tenants (id) on delete cascade,
    lookback_days              integer not null default 30 check (lookback_days between 1 and 365),
    time_decay_half_life_days  double precision not null default 7 check (time_decay_half_life_days > 0),
    position_first_weight      double precision not null default 0.4
        check (position_first_weight between 0 and 1),
    position_last_weight       double precision not null default 0.4
        check (position_last_weight between 0 and 1),
    currency                   text not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
    time_zone                  text not null default 'UTC',
    updated_at                 timestamptz not null default now(),
    check (position_first_weight + position_last_weight <= 1)
);
alter table app.tenant_settings enable row level security;
alter table app.tenant_settings force row level security;
create policy tenant_isolation on app.tenant_settings
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
create policy platform_all on app.tenant_settings to earmark_owner, earmark_transformer
    using (true) with check (true);

-- One row per tenant and calendar month (UTC); ingestion and the API add to it.
create table app.tenant_usage (
    tenant_id        uuid not null references app.tenants (id) on delete cascade,
    period_start     date not null,
    events_ingested  bigint not null default 0,
    api_requests     bigint not null default 0,
    storage_bytes    bigint not null default 0,
    updated_at       timestamptz not null default now(),
    primary key (tenant_id, period_start)
);
alter table app.tenant_usage enable row level security;
alter table app.tenant_usage force row level security;
create policy tenant_isolation on app.tenant_usage
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
create policy platform_all on app.tenant_usage to earmark_owner, earmark_transformer
    using (true) with check (true);

grant usage on schema app to earmark_transformer, earmark_api;
grant select on app.tenants, app.tenant_settings to earmark_transformer;
grant select, insert, update on app.tenant_usage to earmark_transformer;
grant select on app.tenants to earmark_api;
grant select, update on app.tenant_settings to earmark_api;
grant select, insert, update on app.tenant_usage to earmark_api;
