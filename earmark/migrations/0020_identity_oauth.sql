-- The OAuth 2.1 authorization server (issue 11, point 3). Codes and tokens are stored only as HMACs
-- under EARMARK_SECRET_KEY. A grant is one authorization (a code, or a client_credentials request):
-- every token descended from it carries its id, so ending the grant ends them all at once.

-- client_id is random (128 bits) and looked up before the tenant is known (app.find_oauth_client); it
-- is not a unique key across tenants, so the table can be distributed by tenant_id.
create table app.oauth_clients (
    tenant_id      uuid not null references app.tenants (id) on delete cascade,
    id             uuid not null default gen_random_uuid(),
    client_id      text not null check (client_id ~ '^ec_[A-Za-z0-9_-]{22,}$'),
    name           text not null check (length(name) between 1 and 200),
    secret_hash    text,  -- null for a public client (a browser or native app: PKCE, no secret)
    redirect_uris  text[] not null check (cardinality(redirect_uris) between 1 and 10),
    scopes         text[] not null check (cardinality(scopes) > 0 and scopes <@ array[
        'attribution:read', 'settings:write', 'keys:admin', 'users:admin', 'catalog:write']::text[]),
    grant_types    text[] not null check (cardinality(grant_types) > 0 and grant_types <@ array[
        'authorization_code', 'refresh_token', 'client_credentials']::text[]),
    created_at     timestamptz not null default now(),
    revoked_at     timestamptz,
    primary key (tenant_id, id),
    -- client_credentials means a secret: a public client cannot authenticate as itself.
    check (secret_hash is not null or not ('client_credentials' = any (grant_types)))
);
create index oauth_clients_client_id on app.oauth_clients (client_id);

-- What a user allowed a client to do; asked once per client and set of scopes.
create table app.oauth_consents (
    tenant_id   uuid not null references app.tenants (id) on delete cascade,
    user_id     uuid not null,
    client      uuid not null,
    scopes      text[] not null,
    granted_at  timestamptz not null default now(),
    primary key (tenant_id, user_id, client),
    foreign key (tenant_id, user_id) references app.users (tenant_id, id) on delete cascade,
    foreign key (tenant_id, client) references app.oauth_clients (tenant_id, id) on delete cascade
);

create table app.oauth_grants (
    tenant_id       uuid not null references app.tenants (id) on delete cascade,
    id              uuid not null default gen_random_uuid(),
    client          uuid not null,
    user_id         uuid,  -- null for client_credentials
    scopes          text[] not null,
    created_at      timestamptz not null default now(),
    expires_at      timestamptz not null,  -- the absolute end of its refresh tokens
    revoked_at      timestamptz,
    revoked_reason  text check (revoked_reason in ('code_reuse', 'refresh_reuse', 'revoked', 'user_disabled')),
    primary key (tenant_id, id),
    foreign key (tenant_id, client) references app.oauth_clients (tenant_id, id) on delete cascade,
    foreign key (tenant_id, user_id) references app.users (tenant_id, id) on delete cascade
);

create table app.oauth_codes (
    tenant_id       uuid not null references app.tenants (id) on delete cascade,
    code_hash       text not null,
    grant_id        uuid not null,
    redirect_uri    text,
    code_challenge  text not null,  -- S256 only
    created_at      timestamptz not null default now(),
    expires_at      timestamptz not null,
    used_at         timestamptz,    -- set by the one exchange that wins; a second finds it set
    primary key (tenant_id, code_hash),
    foreign key (tenant_id, grant_id) references app.oauth_grants (tenant_id, id) on delete cascade
);

create table app.oauth_tokens (
    tenant_id   uuid not null references app.tenants (id) on delete cascade,
    id          uuid not null default gen_random_uuid(),
    token_hash  text not null,
    grant_id    uuid not null,
    kind        text not null check (kind in ('access', 'refresh')),
    scopes      text[] not null,
    audience    text not null,
    created_at  timestamptz not null default now(),
    expires_at  timestamptz not null,
    rotated_at  timestamptz,  -- a refresh token that was exchanged; presenting it again is reuse
    revoked_at  timestamptz,
    primary key (tenant_id, id),
    foreign key (tenant_id, grant_id) references app.oauth_grants (tenant_id, id) on delete cascade
);
create index oauth_tokens_hash on app.oauth_tokens (token_hash);
create index oauth_tokens_grant on app.oauth_tokens (tenant_id, grant_id);

do $$
declare t text;
begin
    foreach t in array array['oauth_clients', 'oauth_consents', 'oauth_grants', 'oauth_codes',
                             'oauth_tokens'] loop
        execute format('alter table app.%I enable row level security', t);
        execute format('alter table app.%I force row level security', t);
        execute format($p$create policy tenant_isolation on app.%I
            using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
            with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
        execute format('create policy platform_all on app.%I to earmark_owner using (true) with check (true)', t);
    end loop;
end $$;
grant select on app.oauth_clients to earmark_api;
grant select, insert, update on app.oauth_consents, app.oauth_grants, app.oauth_codes, app.oauth_tokens
    to earmark_api;

-- The client a request names, before its tenant is known; only a live client of an active tenant.
create function app.find_oauth_client(p_client_id text)
returns table (tenant_id uuid, id uuid, client_id text, name text, secret_hash text, redirect_uris text[],
               scopes text[], grant_types text[])
language sql stable security definer set search_path = pg_catalog, app
as $$
    select c.tenant_id, c.id, c.client_id, c.name, c.secret_hash, c.redirect_uris, c.scopes, c.grant_types
    from app.oauth_clients c join app.tenants t on t.id = c.tenant_id
    where c.client_id = p_client_id and c.revoked_at is null and t.status = 'active'
$$;

-- An access token presented to the read API: live only while the token, its grant, its client, its
-- user (if any) and its tenant all are. The scopes returned are the token's, narrowed to what the
-- user's role grants today (a demoted user's old token loses what the new role lacks).
create function app.find_oauth_access_token(p_token_hash text)
returns table (tenant_id uuid, token_id uuid, scopes text[], user_id uuid, user_role text, client_id text,
               expires_at timestamptz, tenant_status text, tenant_tier text)
language sql stable security definer set search_path = pg_catalog, app
as $$
    select k.tenant_id, k.id, k.scopes, g.user_id, u.role, c.client_id, k.expires_at, t.status, t.tier
    from app.oauth_tokens k
    join app.oauth_grants g on g.tenant_id = k.tenant_id and g.id = k.grant_id
    join app.oauth_clients c on c.tenant_id = g.tenant_id and c.id = g.client
    join app.tenants t on t.id = k.tenant_id
    left join app.users u on u.tenant_id = g.tenant_id and u.id = g.user_id
    where k.token_hash = p_token_hash and k.kind = 'access' and k.revoked_at is null
      and k.expires_at > now() and g.revoked_at is null and c.revoked_at is null
      and (g.user_id is null or u.status = 'active')
$$;

revoke all on function app.find_oauth_client(text), app.find_oauth_access_token(text) from public;
grant execute on function app.find_oauth_client(text), app.find_oauth_access_token(text) to earmark_api;
