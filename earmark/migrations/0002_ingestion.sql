-- Canonical events as ingested, one row per (tenant, event_id): event_id is the idempotency key.

create table raw.ingest_batches (
    tenant_id    uuid not null references app.tenants (id) on delete cascade,
    batch_id     uuid not null default gen_random_uuid(),
    source_file  text not null,
    file_sha256  text not null,
    rows         bigint not null default 0,
    loaded       bigint not null default 0,
    duplicates   bigint not null default 0,
    rejected     bigint not null default 0,
    status       text not null check (status in ('succeeded', 'failed')),
    error        text,
    started_at   timestamptz not null default now(),
    finished_at  timestamptz,
    primary key (tenant_id, batch_id),
    check (status = 'failed' or rows = loaded + duplicates + rejected)
);

-- No foreign key to tenants and no secondary index here: bulk loads pay for every index per row
-- (measured: the primary key alone is three times the cost of the heap), a foreign key would add
-- a trigger per row, and ingestion only writes rows for a tenant it has just read from app.tenants.
-- event_id compares bytewise (collate "C"): it is an identifier, and attribution breaks ties on it.
create table raw.events (
    tenant_id    uuid not null,
    event_id     text collate "C" not null,
    user_id      text not null,
    occurred_at  timestamptz not null,
    event_type   text not null check (event_type in ('touchpoint', 'conversion')),
    channel      text,
    campaign_id  text,
    revenue      numeric not null default 0 check (revenue >= 0),
    source       text,
    currency     text,
    batch_id     uuid not null,
    loaded_at    timestamptz not null default now(),
    primary key (tenant_id, event_id),
    check (event_type = 'conversion' or channel is not null)
);

-- Rows a file could not load, with where they were and why: nothing is lost silently.
create table raw.rejected_events (
    tenant_id    uuid not null,
    batch_id     uuid not null,
    row_number   bigint not null,
    reason       text not null,
    record       text,
    rejected_at  timestamptz not null default now(),
    primary key (tenant_id, batch_id, row_number),
    foreign key (tenant_id, batch_id) references raw.ingest_batches (tenant_id, batch_id) on delete cascade
);

alter table raw.ingest_batches enable row level security;
alter table raw.ingest_batches force row level security;
alter table raw.events enable row level security;
alter table raw.events force row level security;
alter table raw.rejected_events enable row level security;
alter table raw.rejected_events force row level security;

create policy tenant_isolation on raw.ingest_batches
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
create policy tenant_isolation on raw.events
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
create policy tenant_isolation on raw.rejected_events
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
create policy platform_all on raw.ingest_batches to earmark_owner, earmark_transformer
    using (true) with check (true);
create policy platform_all on raw.events to earmark_owner, earmark_transformer
    using (true) with check (true);
create policy platform_all on raw.rejected_events to earmark_owner, earmark_transformer
    using (true) with check (true);

grant usage on schema raw to earmark_transformer, earmark_api;
grant select, insert, update, delete on raw.ingest_batches, raw.events, raw.rejected_events
    to earmark_transformer;
grant select on raw.ingest_batches, raw.rejected_events to earmark_api;
