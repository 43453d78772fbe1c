-- TOTP MFA (issue 11, point 4): one confirmed factor per user at most (and one being set up), its
-- recovery codes, wrong codes counted per user, and sessions that know how far sign-in has got.

-- The secret is AES-GCM ciphertext (nonce || ciphertext+tag) under a key that is not in the database,
-- with the user id as associated data: a row copied to another user does not decrypt.
create table app.mfa_totp (
    tenant_id      uuid not null references app.tenants (id) on delete cascade,
    id             uuid not null default gen_random_uuid(),
    user_id        uuid not null,
    secret_sealed  bytea not null,
    created_at     timestamptz not null default now(),
    confirmed_at   timestamptz,  -- null while the user has not yet typed a first valid code
    -- The last RFC 6238 time step accepted: that step and every earlier one are refused (replay).
    last_timecode  bigint,
    locked_at      timestamptz,  -- too many wrong codes in a day
    primary key (tenant_id, id),
    foreign key (tenant_id, user_id) references app.users (tenant_id, id) on delete cascade
);
create unique index mfa_totp_one_confirmed on app.mfa_totp (tenant_id, user_id) where confirmed_at is not null;
create unique index mfa_totp_one_pending on app.mfa_totp (tenant_id, user_id) where confirmed_at is null;

-- Ten single-use codes per user; only their HMACs. A new set replaces the old one.
create table app.mfa_recovery_codes (
    tenant_id   uuid not null references app.tenants (id) on delete cascade,
    user_id     uuid not null,
    code_hash   text not null,
    created_at  timestamptz not null default now(),
    used_at     timestamptz,
    primary key (tenant_id, user_id, code_hash),
    foreign key (tenant_id, user_id) references app.users (tenant_id, id) on delete cascade
);

-- Wrong codes, for the daily limit that locks a factor.
create table app.mfa_failures (
    tenant_id  uuid not null references app.tenants (id) on delete cascade,
    user_id    uuid not null,
    failed_at  timestamptz not null default now(),
    foreign key (tenant_id, user_id) references app.users (tenant_id, id) on delete cascade
);
create index mfa_failures_user on app.mfa_failures (tenant_id, user_id, failed_at);

do $$
declare t text;
begin
    foreach t in array array['mfa_totp', 'mfa_recovery_codes', 'mfa_failures'] loop
        execute format('alter table app.%I enable row level security', t);
        execute format('alter table app.%I force row level security', t);
        execute format($p$create policy tenant_isolation on app.%I
            using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
            with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
        execute format('create policy platform_all on app.%I to earmark_owner using (true) with check (true)', t);
    end loop;
end $$;
grant select, insert, update, delete on app.mfa_totp, app.mfa_recovery_codes to earmark_api;
grant select, insert on app.mfa_failures to earmark_api;

-- A session is `complete`, or half way: `mfa` (password right, code still to come) or `enrol` (the
-- tenant requires MFA and the user has none yet). authenticated_at is when the user last proved who
-- they are (changing MFA needs that within minutes); mfa_failures ends a pending sign-in after 5.
alter table app.user_sessions
    add column stage text not null default 'complete' check (stage in ('mfa', 'enrol', 'complete')),
    add column authenticated_at timestamptz not null default now(),
    add column mfa_failures integer not null default 0;

alter table app.tenant_settings add column require_mfa boolean not null default false;

drop function app.find_user_session(text, interval);
create function app.find_user_session(p_token_hash text, p_idle interval)
returns table (tenant_id uuid, session_id uuid, user_id uuid, email text, role text, tenant_name text,
               created_at timestamptz, expires_at timestamptz, stage text, authenticated_at timestamptz,
               mfa_failures integer)
language sql volatile security definer set search_path = pg_catalog, app
as $$
    update app.user_sessions s set last_seen_at = now()
    from app.users u, app.tenants t
    where s.token_hash = p_token_hash and s.ended_at is null and s.expires_at > now()
      and s.last_seen_at > now() - p_idle
      and u.tenant_id = s.tenant_id and u.id = s.user_id and u.status = 'active'
      and t.id = s.tenant_id and t.status = 'active'
    returning s.tenant_id, s.id, s.user_id, u.email, u.role, t.name, s.created_at, s.expires_at, s.stage,
              s.authenticated_at, s.mfa_failures
$$;
revoke all on function app.find_user_session(text, interval) from public;
grant execute on function app.find_user_session(text, interval) to earmark_api;

alter table app.security_events drop constraint security_events_action_check;
alter table app.security_events add constraint security_events_action_check check (action in (
    'signin', 'signin_failed', 'signin_throttled', 'signout',
    'mfa_enabled', 'mfa_disabled', 'mfa_failed', 'mfa_replay', 'mfa_locked', 'mfa_pending_ended',
    'recovery_code_used', 'recovery_codes_regenerated',
    'oauth_consent_granted', 'oauth_consent_denied', 'oauth_code_reuse', 'oauth_refresh_reuse',
    'oauth_client_created'));
