-- The read API: tenant and platform API keys, the GCRA rate-limit state, and the few
-- SECURITY DEFINER functions the API role needs where row-level security cannot know the tenant yet.
-- Keys are stored as HMAC-SHA256 under a server secret that is never in the database.

-- Tenant keys: tenant_id leads every key, RLS as on every tenant table.
create table app.api_keys (
    tenant_id    uuid not null references app.tenants (id) on delete cascade,
    id           uuid not null default gen_random_uuid(),
    name         text not null default '' check (length(name) <= 200),
    mode         text not null check (mode in ('live', 'test')),
    prefix       text not null check (prefix ~ '^ek_(live|test)_[0-9A-Za-z]{8}$'),
    key_hash     text not null check (key_hash ~ '^[0-9a-f]{64}$'),
    scopes       text[] not null check (
        cardinality(scopes) > 0
        and scopes <@ array['attribution:read', 'settings:write', 'keys:admin']::text[]
    ),
    created_at   timestamptz not null default now(),
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz,
    primary key (tenant_id, id),
    unique (tenant_id, prefix)
);
-- The lookup runs before the tenant is known (app.find_api_key); prefixes may collide, hence not unique.
create index api_keys_prefix on app.api_keys (prefix);
alter table app.api_keys enable row level security;
alter table app.api_keys force row level security;
create policy tenant_isolation on app.api_keys
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
create policy platform_all on app.api_keys to earmark_owner using (true) with check (true);

-- Platform keys belong to no tenant, so they live apart; the API role has no grant on them at all.
create table app.platform_keys (
    id           uuid primary key default gen_random_uuid(),
    name         text not null default '' check (length(name) <= 200),
    mode         text not null check (mode in ('live', 'test')),
    prefix       text not null unique check (prefix ~ '^ek_(live|test)_[0-9A-Za-z]{8}$'),
    key_hash     text not null check (key_hash ~ '^[0-9a-f]{64}$'),
    scopes       text[] not null check (cardinality(scopes) > 0 and scopes <@ array['tenants:admin']::text[]),
    created_at   timestamptz not null default now(),
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz
);
alter table app.platform_keys enable row level security;
alter table app.platform_keys force row level security;
create policy platform_all on app.platform_keys to earmark_owner using (true) with check (true);

-- GCRA state: one row per (tenant, bucket) holding the theoretical arrival time. Unlogged because
-- losing it in a crash only forgives a few requests, and a commit then needs no WAL flush.
create unlogged table app.rate_limits (
    tenant_id         uuid not null,
    bucket            text not null,
    tat               timestamptz not null,
    emission_interval interval not null,
    burst             integer not null check (burst > 0),
    primary key (tenant_id, bucket)
);
alter table app.rate_limits enable row level security;
alter table app.rate_limits force row level security;
create policy tenant_isolation on app.rate_limits
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
create policy platform_all on app.rate_limits to earmark_owner using (true) with check (true);

-- Key lookup by prefix, before any tenant is set. Returns the stored HMAC; the comparison happens in
-- the API process, in constant time, against a secret the database never sees.
create function app.find_api_key(p_prefix text)
returns table (
    kind text, id uuid, tenant_id uuid, key_hash text, scopes text[], expires_at timestamptz,
    revoked_at timestamptz, tenant_tier text, tenant_status text
)
language sql stable security definer set search_path = pg_catalog, app
as $$
    select 'tenant', k.id, k.tenant_id, k.key_hash, k.scopes, k.expires_at, k.revoked_at, t.tier, t.status
    from app.api_keys k join app.tenants t on t.id = k.tenant_id
    where k.prefix = p_prefix
    union all
    select 'platform', p.id, null, p.key_hash, p.scopes, p.expires_at, p.revoked_at, null, null
    from app.platform_keys p
    where p.prefix = p_prefix
$$;

-- Platform operations run as the owner only for a caller that proves it holds a live platform key:
-- the proof is the key's HMAC, which needs both the key and the server secret.
create function app.authorize_platform_key(p_key_id uuid, p_key_hash text)
returns void
language plpgsql security definer set search_path = pg_catalog, app
as $$
begin
    update app.platform_keys set last_used_at = now()
    where id = p_key_id and key_hash = p_key_hash and revoked_at is null
      and (expires_at is null or expires_at > now()) and 'tenants:admin' = any (scopes);
    if not found then
        raise exception 'not a live platform key with tenants:admin' using errcode = 'insufficient_privilege';
    end if;
end
$$;

create function app.platform_list_tenants(p_key_id uuid, p_key_hash text, p_limit integer,
                                          p_after_created timestamptz, p_after_id uuid)
returns setof app.tenants
language plpgsql security definer set search_path = pg_catalog, app
as $$
begin
    perform app.authorize_platform_key(p_key_id, p_key_hash);
    return query
        select * from app.tenants t
        where p_after_id is null or (t.created_at, t.id) > (p_after_created, p_after_id)
        order by t.created_at, t.id
        limit p_limit;
end
$$;

create function app.platform_get_tenant(p_key_id uuid, p_key_hash text, p_tenant_id uuid)
returns setof app.tenants
language plpgsql security definer set search_path = pg_catalog, app
as $$
begin
    perform app.authorize_platform_key(p_key_id, p_key_hash);
    return query select * from app.tenants where id = p_tenant_id;
end
$$;

create function app.platform_create_tenant(p_key_id uuid, p_key_hash text, p_name text, p_tier text)
returns setof app.tenants
language plpgsql security definer set search_path = pg_catalog, app
as $$
declare
    created app.tenants;
begin
    perform app.authorize_platform_key(p_key_id, p_key_hash);
    insert into app.tenants (name, tier) values (p_name, p_tier) returning * into created;
    insert into app.tenant_settings (tenant_id) values (created.id);
    return next created;
end
$$;

create function app.platform_update_tenant(p_key_id uuid, p_key_hash text, p_tenant_id uuid,
                                           p_tier text, p_status text)
returns setof app.tenants
language plpgsql security definer set search_path = pg_catalog, app
as $$
begin
    perform app.authorize_platform_key(p_key_id, p_key_hash);
    return query
        update app.tenants
        set tier = coalesce(p_tier, tier), status = coalesce(p_status, status)
        where id = p_tenant_id
        returning *;
end
$$;

revoke all on function app.find_api_key(text) from public;
revoke all on function app.authorize_platform_key(uuid, text) from public;
revoke all on function app.platform_list_tenants(uuid, text, integer, timestamptz, uuid) from public;
revoke all on function app.platform_get_tenant(uuid, text, uuid) from public;
revoke all on function app.platform_create_tenant(uuid, text, text, text) from public;
revoke all on function app.platform_update_tenant(uuid, text, uuid, text, text) from public;
grant execute on function app.find_api_key(text) to earmark_api;
grant execute on function app.platform_list_tenants(uuid, text, integer, timestamptz, uuid) to earmark_api;
grant execute on function app.platform_get_tenant(uuid, text, uuid) to earmark_api;
grant execute on function app.platform_create_tenant(uuid, text, text, text) to earmark_api;
grant execute on function app.platform_update_tenant(uuid, text, uuid, text, text) to earmark_api;

-- Minimal rights for the API role: its tenant's keys (create, list, revoke, mark used), its rate state.
-- Not the stored HMAC: the API never needs to read it back outside app.find_api_key.
grant select (tenant_id, id, name, mode, prefix, scopes, created_at, expires_at, revoked_at, last_used_at)
    on app.api_keys to earmark_api;
grant insert on app.api_keys to earmark_api;
grant update (revoked_at, last_used_at) on app.api_keys to earmark_api;
grant select, insert, update on app.rate_limits to earmark_api;
