-- Sign-in (issue 11, points 2 and 5): server-side sessions, security events, and the failure counts that
-- throttle sign-in per account and per address before any tenant is known.

-- A signed-in user's session. The cookie holds a random token; only its HMAC under EARMARK_SECRET_KEY is
-- stored, so a copy of this table signs nobody in.
create table app.user_sessions (
    tenant_id     uuid not null references app.tenants (id) on delete cascade,
    id            uuid not null default gen_random_uuid(),
    token_hash    text not null,
    user_id       uuid not null,
    created_at    timestamptz not null default now(),
    last_seen_at  timestamptz not null default now(),
    expires_at    timestamptz not null,  -- the absolute expiry; the idle one is last_seen_at + a setting
    ended_at      timestamptz,           -- signed out, rotated, or the user was disabled
    primary key (tenant_id, id),
    foreign key (tenant_id, user_id) references app.users (tenant_id, id) on delete cascade
);
-- Looked up by token before the tenant is known (app.find_user_session).
create index user_sessions_token on app.user_sessions (token_hash);

-- What happened, for admins and auditors: never a secret, password or token. The actor is pseudonymous
-- (`user:<id>`, `key:<id>`, or `address:<first 16 hex of an HMAC of the IP>`), never an email.
create table app.security_events (
    tenant_id    uuid not null references app.tenants (id) on delete cascade,
    id           bigint generated always as identity,
    occurred_at  timestamptz not null default now(),
    actor        text not null,
    action       text not null check (action in (
        'signin', 'signin_failed', 'signin_throttled', 'signout')),
    request_id   text not null,
    details      jsonb not null default '{}',
    primary key (tenant_id, id)
);

alter table app.user_sessions enable row level security;
alter table app.user_sessions force row level security;
alter table app.security_events enable row level security;
alter table app.security_events force row level security;
create policy tenant_isolation on app.user_sessions
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
create policy tenant_isolation on app.security_events
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
create policy platform_all on app.user_sessions to earmark_owner using (true) with check (true);
create policy platform_all on app.security_events to earmark_owner using (true) with check (true);
grant select, insert, update on app.user_sessions to earmark_api;
grant select, insert on app.security_events to earmark_api;

-- Failed sign-ins, counted per subject over a window: the subject is an HMAC of `email:<lower email>`
-- or `address:<ip>`, so it holds no tenant data and no personal data in clear. An unknown email is
-- throttled exactly like a known one, so the limit reveals nothing about who has an account.
create table app.signin_failures (
    subject    text not null,
    failed_at  timestamptz not null default now()
);
create index signin_failures_subject on app.signin_failures (subject, failed_at);
grant select, insert, delete on app.signin_failures to earmark_api;

-- The users an email may sign in as, across tenants (the form names no tenant): the caller verifies the
-- password against each hash in its own process.
create function app.signin_candidates(p_email text)
returns table (tenant_id uuid, user_id uuid, email text, role text, password_hash text, user_status text,
               tenant_status text)
language sql stable security definer set search_path = pg_catalog, app
as $$
    select u.tenant_id, u.id, u.email, u.role, u.password_hash, u.status, t.status
    from app.users u join app.tenants t on t.id = u.tenant_id
    where lower(u.email) = lower(p_email)
    order by u.created_at, u.id
$$;

-- The live session of a cookie's token, touched (idle expiry restarts); nothing once it has ended,
-- expired (absolutely, or idle longer than p_idle), or its user or tenant is no longer active.
create function app.find_user_session(p_token_hash text, p_idle interval)
returns table (tenant_id uuid, session_id uuid, user_id uuid, email text, role text, tenant_name text,
               created_at timestamptz, expires_at timestamptz)
language sql volatile security definer set search_path = pg_catalog, app
as $$
    update app.user_sessions s set last_seen_at = now()
    from app.users u, app.tenants t
    where s.token_hash = p_token_hash and s.ended_at is null and s.expires_at > now()
      and s.last_seen_at > now() - p_idle
      and u.tenant_id = s.tenant_id and u.id = s.user_id and u.status = 'active'
      and t.id = s.tenant_id and t.status = 'active'
    returning s.tenant_id, s.id, s.user_id, u.email, u.role, t.name, s.created_at, s.expires_at
$$;

revoke all on function app.signin_candidates(text), app.find_user_session(text, interval) from public;
grant execute on function app.signin_candidates(text), app.find_user_session(text, interval) to earmark_api;
