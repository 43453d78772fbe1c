-- Download and ad-delivery counting (issue 13, IAB_COUNTING.md). Schema `downloads`:
--   platform (no tenant data): list versions, their bot patterns and data-centre CIDRs;
--   per tenant (RLS enabled and forced, tenant_id first in every key): strings (user agents, URLs, referers
--   by id), addresses (keyed HMACs and the sealed address, never the plain one), batches and rejected rows,
--   requests (one LIST partition per tenant, as raw.events), and what counting decided: request_outcomes
--   and downloads (one RANGE partition per UTC day holding every tenant, replaced whole by each count of
--   that day), ad_deliveries and counted_days.
-- The partitioned tables are written by COPY into a fresh table that has no RLS yet, which the functions
-- below then lock down and attach (COPY cannot write a table with RLS; inserting 10 M rows one by one
-- through RLS into a shared btree took 3.2 us a row, measured here).

create schema downloads;
grant usage on schema downloads to earmark_transformer, earmark_api;

create table downloads.reasons (
    code   smallint primary key,
    name   text not null unique
);
insert into downloads.reasons values
    (1, 'not_get'), (2, 'bad_status'), (3, 'unknown_episode'), (4, 'bot_ua'), (5, 'datacenter_ip'),
    (6, 'apple_watch'), (7, 'probe_only'), (8, 'ip_spike'), (9, 'below_threshold'), (10, 'duplicate_in_window');
grant select on downloads.reasons to earmark_transformer, earmark_api;

-- The lists: each import is a new version; exactly one is active.
create table downloads.list_versions (
    version      integer generated always as identity primary key,
    bots_sha256  text not null,
    cidrs_sha256 text not null,
    bots_source  text not null,
    cidrs_source text not null,
    loaded_at    timestamptz not null default now(),
    active       boolean not null default false
);
create unique index list_versions_one_active on downloads.list_versions (active) where active;
create table downloads.bot_patterns (
    version  integer not null references downloads.list_versions on delete cascade,
    line     integer not null,
    match    text not null check (match in ('empty', 'contains', 'exact')),
    pattern  text not null,
    note     text not null default '',
    primary key (version, line)
);
create table downloads.datacenter_cidrs (
    version  integer not null references downloads.list_versions on delete cascade,
    line     integer not null,
    network  cidr not null,
    primary key (version, line)
);
grant select, insert, update on downloads.list_versions, downloads.bot_patterns, downloads.datacenter_cidrs
    to earmark_transformer;
grant select on downloads.list_versions to earmark_api;

create table downloads.strings (
    tenant_id  uuid not null references app.tenants (id) on delete cascade,
    string_id  bigint not null,
    value      text not null,
    primary key (tenant_id, string_id)
);

-- One LIST partition per tenant, as downloads.requests: a tenant's first log COPYs its addresses.
create table downloads.addresses (
    tenant_id      uuid not null,
    address_id     bigint not null,          -- HMAC-SHA256 of the address, first 64 bits
    ip_key         bigint not null,          -- HMAC-SHA256 of R3's IP key, first 64 bits
    sealed         bytea not null,           -- AES-GCM of the address (earmark.downloads.addresses)
    list_version   integer not null,         -- the list in_datacenter was decided under
    in_datacenter  boolean not null,
    primary key (tenant_id, address_id)
) partition by list (tenant_id);

create table downloads.batches (
    tenant_id    uuid not null references app.tenants (id) on delete cascade,
    batch_id     uuid not null,
    source_file  text not null,
    file_sha256  text not null default '',
    rows         bigint not null default 0,
    loaded       bigint not null default 0,
    duplicates   bigint not null default 0,
    rejected     bigint not null default 0,
    first_day    date,
    last_day     date,
    status       text not null check (status in ('succeeded', 'failed')),
    error        text,
    started_at   timestamptz not null,
    finished_at  timestamptz not null default now(),
    primary key (tenant_id, batch_id),
    check (status = 'failed' or rows = loaded + duplicates + rejected)
);

create table downloads.rejected_requests (
    tenant_id   uuid not null,
    batch_id    uuid not null,
    row_number  bigint not null,
    reason      text not null,
    record      text,
    primary key (tenant_id, batch_id, row_number),
    foreign key (tenant_id, batch_id) references downloads.batches (tenant_id, batch_id) on delete cascade
);

create table downloads.requests (
    tenant_id   uuid not null,
    request_id  text collate "C" not null,
    ts          timestamptz not null,
    method      text not null,
    address_id  bigint not null,
    ip_key      bigint not null,
    ua_id       bigint not null,
    url_id      bigint not null,
    referer_id  bigint not null,
    range_kind  smallint not null check (range_kind between 0 and 3),  -- none, a-b, a-, -n (rules.py)
    range_a     bigint,
    range_b     bigint,
    status      smallint not null,
    bytes_sent  bigint not null check (bytes_sent >= 0),
    batch_id    uuid not null,
    primary key (tenant_id, request_id)
) partition by list (tenant_id);
create index requests_ts on downloads.requests (tenant_id, ts);

-- Per request and mode: reason 0 = counted, else downloads.reasons; the download is its qualifying
-- request's request_id (for counted and duplicate_in_window). rolling_download_day is that download's date
-- (a request late on one day can be counted by a download the next day qualifies).
create table downloads.request_outcomes (
    tenant_id             uuid not null,
    day                   date not null,
    request_id            text collate "C" not null,
    fixed_reason          smallint not null,
    fixed_download        text collate "C",
    rolling_reason        smallint not null,
    rolling_download      text collate "C",
    rolling_download_day  date,
    primary key (tenant_id, day, request_id)
) partition by range (day);

create table downloads.downloads (
    tenant_id      uuid not null,
    day            date not null,
    mode           text not null check (mode in ('fixed', 'rolling')),
    download_id    text collate "C" not null,
    episode_id     text collate "C" not null,
    ip_key         bigint not null,
    ua_id          bigint not null,
    qualified_at   timestamptz not null,
    requests       integer not null,
    bytes          bigint not null,
    ads_delivered  integer not null,
    primary key (tenant_id, day, mode, download_id)
) partition by range (day);
create index downloads_episode on downloads.downloads (tenant_id, mode, episode_id, day);

create table downloads.ad_deliveries (
    tenant_id    uuid not null references app.tenants (id) on delete cascade,
    day          date not null,
    mode         text not null check (mode in ('fixed', 'rolling')),
    ad_id        text collate "C" not null,
    impressions  bigint not null,
    primary key (tenant_id, day, mode, ad_id)
);

-- Which days were counted, under which lists and spike threshold: a day whose list version or threshold
-- differs from the current ones is counted again by the next run (earmark.downloads.counted).
create table downloads.counted_days (
    tenant_id        uuid not null references app.tenants (id) on delete cascade,
    day              date not null,
    list_version     integer not null,
    spike_threshold  integer not null,
    catalog_revision bigint not null default 0,
    requests         bigint not null,
    counted_at       timestamptz not null default now(),
    primary key (tenant_id, day)
);

do $$
declare
    entity text;
begin
    foreach entity in array array['strings', 'addresses', 'batches', 'rejected_requests', 'requests',
                                  'request_outcomes', 'downloads', 'ad_deliveries', 'counted_days'] loop
        execute format('alter table downloads.%I enable row level security', entity);
        execute format('alter table downloads.%I force row level security', entity);
        execute format($p$create policy tenant_isolation on downloads.%I
            using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
            with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$, entity);
        execute format('create policy platform_all on downloads.%I to earmark_owner, earmark_transformer '
                       'using (true) with check (true)', entity);
        execute format('grant select, insert, update, delete on downloads.%I to earmark_transformer', entity);
    end loop;
end $$;
-- The API reads what counting decided (and the batches); never the requests' keys or the sealed addresses.
grant select on downloads.request_outcomes, downloads.downloads, downloads.ad_deliveries, downloads.counted_days,
    downloads.batches to earmark_api;

-- Partitioned tables cannot cascade from app.tenants without a check of every row at each ATTACH; a
-- deleted tenant's requests and results go with it through this trigger instead.
create function downloads.forget_tenant() returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
begin
    execute format('drop table if exists downloads.%I', 'requests_' || replace(old.id::text, '-', ''));
    execute format('drop table if exists downloads.%I', 'addresses_' || replace(old.id::text, '-', ''));
    delete from downloads.request_outcomes where tenant_id = old.id;
    delete from downloads.downloads where tenant_id = old.id;
    return old;
end
$$;
create trigger forget_downloads after delete on app.tenants
    for each row execute function downloads.forget_tenant();

-- One function for a fresh, unattached table of a partitioned parent, writable by the transformer, and one
-- that locks it down and attaches it (replacing the partition it replaces). kind: 'requests' or
-- 'addresses' (suffix: the tenant; the new table's defaults stamp the load's tenant and batch, so COPY
-- sends neither), 'request_outcomes' or 'downloads' (suffix: the day, YYYYMMDD).
create function downloads.partition_name(kind text, suffix text) returns text
language sql immutable
return kind || '_' || suffix;

create function downloads.new_partition(kind text, suffix text, tenant uuid default null,
                                        batch uuid default null) returns text
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
    name text := downloads.partition_name(kind, suffix) || '_new';
begin
    if kind not in ('requests', 'addresses', 'request_outcomes', 'downloads') then
        raise exception 'no partitioned table downloads.%', kind;
    end if;
    perform pg_advisory_xact_lock(hashtextextended('downloads:' || kind || ':' || suffix, 0));
    execute format('drop table if exists downloads.%I', name);
    execute format('create table downloads.%I (like downloads.%I including defaults)', name, kind);
    if tenant is not null then
        execute format('alter table downloads.%I alter tenant_id set default %L', name, tenant);
    end if;
    if batch is not null then
        execute format('alter table downloads.%I alter batch_id set default %L', name, batch);
    end if;
    execute format('grant insert on downloads.%I to earmark_transformer', name);
    return 'downloads.' || quote_ident(name);
end
$$;

create function downloads.attach_partition(kind text, suffix text, bound text) returns void
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
    name text := downloads.partition_name(kind, suffix);
    fresh text := name || '_new';
    key text := case when kind in ('requests', 'addresses') then 'tenant_id' else 'day' end;
begin
    perform pg_advisory_xact_lock(hashtextextended('downloads:' || kind || ':' || suffix, 0));
    if to_regclass('downloads.' || quote_ident(name)) is not null then
        if key = 'tenant_id' then  -- a tenant's requests and addresses are attached once, never replaced
            raise exception 'downloads.% exists', name;
        end if;
        execute format('drop table downloads.%I', name);
    end if;
    execute format('alter table downloads.%I rename to %I', fresh, name);
    execute format('revoke all on downloads.%I from earmark_transformer', name);
    execute format('alter table downloads.%I alter tenant_id drop default', name);
    if kind = 'requests' then
        execute format('alter table downloads.%I alter batch_id drop default', name);
    end if;
    -- The bound as a check spares ATTACH its scan of every row; the parent's checks come along.
    execute format('alter table downloads.%I add constraint %I check (%I = %L)', name, name || '_bound', key,
                   bound) || coalesce((
        select string_agg(format(', add constraint %I %s', conname, pg_get_constraintdef(oid)), '')
        from pg_constraint
        where conrelid = ('downloads.' || kind)::regclass and contype = 'c'), '');
    execute format('alter table downloads.%I enable row level security, force row level security', name);
    execute format('create policy tenant_isolation on downloads.%I '
                   'using (tenant_id = nullif(current_setting(''app.tenant_id'', true), '''')::uuid) '
                   'with check (tenant_id = nullif(current_setting(''app.tenant_id'', true), '''')::uuid)',
                   name);
    execute format('create policy platform_all on downloads.%I to earmark_owner, earmark_transformer '
                   'using (true) with check (true)', name);
    if key = 'tenant_id' then
        execute format('alter table downloads.%I attach partition downloads.%I for values in (%L)',
                       kind, name, bound);
    else
        execute format('alter table downloads.%I attach partition downloads.%I for values from (%L) to (%L)',
                       kind, name, bound, (bound::date + 1)::text);
    end if;
    execute format('analyze downloads.%I', name);
end
$$;

revoke all on function downloads.new_partition(text, text, uuid, uuid),
    downloads.attach_partition(text, text, text) from public;
grant execute on function downloads.partition_name(text, text), downloads.new_partition(text, text, uuid, uuid),
    downloads.attach_partition(text, text, text) to earmark_transformer;

-- Reports pick a mode per tenant unless asked: fixed (UTC day) by default, or rolling (24 h first touch).
alter table app.tenant_settings add column download_window text not null default 'fixed'
    check (download_window in ('fixed', 'rolling'));
