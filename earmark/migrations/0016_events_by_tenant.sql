-- raw.events becomes one partition per tenant (LIST on tenant_id), so a tenant's first big load COPYs
-- into a table of its own and builds that table's indexes once, by sorting, instead of inserting 4 M
-- rows one by one through row-level security into a shared btree (issue 10: 31 s of a 48 s ingest).
-- Queries still name raw.events, whose policies govern every read and write made through it.
--
-- A partition exists once its tenant has events. Two functions, owned by earmark_owner and callable by
-- the transformer only, make one (earmark/ingest/service.py says when):
--   raw.create_events_partition(tenant, batch, loaded_at): an empty, unattached table of raw.events'
--     columns whose defaults stamp the load's tenant, batch and time, writable by the transformer. It has
--     no row-level security yet, so COPY may write it; it is invisible to every other session until
--     its transaction commits, and raw.attach_events_partition runs before that commit.
--   raw.attach_events_partition(tenant): RLS enabled, forced and the policies of raw.events, the load's
--     defaults and the transformer's grant removed, raw.events' checks added, then ATTACH (which builds
--     the partition's primary key and BRIN index from its rows), then ANALYZE.
-- Both take the tenant's ingestion lock (earmark/ingest/sql/lock_tenant_loads.sql), so two loads of
-- one tenant never race to create its partition. There is no default partition: a row for a tenant
-- without one is refused, never parked where no policy was written for it.

alter table raw.events rename to events_unpartitioned;
alter index raw.events_pkey rename to events_unpartitioned_pkey;
alter index raw.events_loaded_at rename to events_unpartitioned_loaded_at;

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
    show_id      text collate "C",
    episode_id   text collate "C",
    placement_id text collate "C",
    promo_code   text collate "C",
    vanity_url   text collate "C",
    primary key (tenant_id, event_id),
    check (event_type = 'conversion' or channel is not null)
) partition by list (tenant_id);

-- See 0015: loads append batch by batch, so loaded_at follows each partition's physical order.
create index events_loaded_at on raw.events using brin (loaded_at);

alter table raw.events enable row level security;
alter table raw.events force row level security;
create policy tenant_isolation on raw.events
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
create policy platform_all on raw.events to earmark_owner, earmark_transformer
    using (true) with check (true);
grant select, insert, update, delete on raw.events to earmark_transformer;

create function raw.events_partition_name(tenant uuid) returns text
language sql immutable
return 'events_' || replace(tenant::text, '-', '');

create function raw.create_events_partition(tenant uuid, batch uuid, loaded timestamptz) returns text
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
    name text := raw.events_partition_name(tenant);
begin
    perform pg_advisory_xact_lock(hashtextextended('ingest:' || tenant::text, 0));
    if not exists (select from app.tenants where id = tenant) then
        raise exception 'no tenant %', tenant using errcode = 'foreign_key_violation';
    end if;
    -- No check constraints yet: COPY evaluating them row by row took 8-10 s at 4 M rows instead of 5.6 s;
    -- raw.attach_events_partition adds them in one pass (0.7 s).
    execute format('create table raw.%I (like raw.events including defaults)', name);
    execute format('alter table raw.%I alter tenant_id set default %L, alter batch_id set default %L, '
                   'alter loaded_at set default %L', name, tenant, batch, loaded);
    execute format('grant insert on raw.%I to earmark_transformer', name);
    return 'raw.' || quote_ident(name);
end
$$;

create function raw.attach_events_partition(tenant uuid) returns void
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
    name text := raw.events_partition_name(tenant);
begin
    perform pg_advisory_xact_lock(hashtextextended('ingest:' || tenant::text, 0));
    execute format('revoke all on raw.%I from earmark_transformer', name);
    execute format('alter table raw.%I alter tenant_id drop default, alter batch_id drop default, '
                   'alter loaded_at set default now()', name);
    -- raw.events' own checks (ATTACH wants them by name), and the bound as a check, which spares ATTACH
    -- its own scan of every row; one ALTER validates them all in a single pass.
    execute format('alter table raw.%I add constraint events_partition_bound check (tenant_id = %L)', name,
                   tenant) || coalesce((
        select string_agg(format(', add constraint %I %s', conname, pg_get_constraintdef(oid)), '')
        from pg_constraint
        where conrelid = 'raw.events'::regclass and contype = 'c'), '');
    execute format('alter table raw.%I enable row level security, force row level security', name);
    execute format('create policy tenant_isolation on raw.%I '
                   'using (tenant_id = nullif(current_setting(''app.tenant_id'', true), '''')::uuid) '
                   'with check (tenant_id = nullif(current_setting(''app.tenant_id'', true), '''')::uuid)',
                   name);
    execute format('create policy platform_all on raw.%I to earmark_owner, earmark_transformer '
                   'using (true) with check (true)', name);
    execute format('alter table raw.events attach partition raw.%I for values in (%L)', name, tenant);
    -- Statistics now, in the load's transaction: the next statement (the anti-join of the load's linked
    -- rows, or of the tenant's next file) would otherwise guess that tenant_id = X keeps 0.5 % of the
    -- partition and plan a bitmap scan and sort of all of it (16 s instead of 5 s at 4 M rows).
    execute format('analyze raw.%I', name);
end
$$;

revoke all on function raw.create_events_partition(uuid, uuid, timestamptz),
    raw.attach_events_partition(uuid) from public;
grant execute on function raw.events_partition_name(uuid), raw.create_events_partition(uuid, uuid, timestamptz),
    raw.attach_events_partition(uuid) to earmark_transformer;

-- Existing events move into their tenants' partitions (a dev or staging database; the transaction
-- keeps them where they were if anything fails).
do $$
declare
    tenant uuid;
begin
    for tenant in select distinct events.tenant_id from raw.events_unpartitioned as events loop
        perform raw.create_events_partition(tenant, gen_random_uuid(), now());
        execute format('insert into raw.%I select * from raw.events_unpartitioned where tenant_id = %L',
                       raw.events_partition_name(tenant), tenant);
        perform raw.attach_events_partition(tenant);
    end loop;
end
$$;

drop table raw.events_unpartitioned;
