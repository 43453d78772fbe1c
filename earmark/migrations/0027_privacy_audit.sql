-- Compliance (issue 16): the tamper-evident audit log, data-subject requests and raw-data retention.
--
-- The audit log is a hash chain per tenant (the nil uuid is the platform's own chain: platform keys,
-- tenants created). Entry `seq` stores prev_hash, the hash of entry seq - 1 (64 zeros for the first),
-- and hash = sha256 of its canonical content including prev_hash (app.audit_canonical). Entries are
-- appended only through app.audit_append, which serialises a tenant's appends on its row in
-- app.audit_heads, so the sequence has no gaps. Triggers refuse UPDATE, DELETE and TRUNCATE for every
-- role, the owner included; only a superuser disabling the triggers can change the table, and
-- `earmark audit verify` then finds the first entry that changed (against an exported head, even a chain
-- rewritten from scratch). No foreign key to app.tenants: the history outlives the tenant.

create table app.audit_log (
    tenant_id    uuid not null,
    seq          bigint not null check (seq > 0),
    occurred_at  timestamptz not null,
    actor        text not null,           -- user:<id>, key:<id>, client:<client_id>, cli:<os user>, system
    action       text not null check (action ~ '^[a-z][a-z0-9_.]{0,62}$'),
    target       text not null default '',
    request_id   text not null default '',
    changes      jsonb not null default '{}',
    prev_hash    text not null check (prev_hash ~ '^[0-9a-f]{64}$'),
    hash         text not null check (hash ~ '^[0-9a-f]{64}$'),
    primary key (tenant_id, seq)
);
create index audit_log_action on app.audit_log (tenant_id, action, occurred_at);
create index audit_log_time on app.audit_log (tenant_id, occurred_at, seq);

create table app.audit_heads (
    tenant_id  uuid primary key,
    seq        bigint not null,
    hash       text not null
);

-- Length-prefixed fields: unambiguous without any escaping, and easy to recompute outside the database
-- (earmark.privacy.audit.canonical does the same in Python).
create function app.audit_canonical(p_seq bigint, p_tenant uuid, p_at timestamptz, p_actor text,
                                    p_action text, p_target text, p_request_id text, p_changes jsonb,
                                    p_prev_hash text)
returns text language sql immutable set search_path = pg_catalog
as $$
    select string_agg(octet_length(f)::text || ':' || f, '' order by n)
    from unnest(array[p_seq::text, p_tenant::text,
                      to_char(p_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                      p_actor, p_action, p_target, p_request_id, p_changes::text, p_prev_hash])
         with ordinality as t(f, n)
$$;

-- The append itself, for the two entry points below only (no role may call it directly).
create function app.audit_write(p_tenant uuid, p_actor text, p_action text, p_target text,
                                p_request_id text, p_changes jsonb)
returns bigint language plpgsql security definer set search_path = pg_catalog, app
as $$
declare
    v_head app.audit_heads;
    v_at timestamptz := clock_timestamp();
    v_canonical text;
    v_hash text;
begin
    insert into app.audit_heads values (p_tenant, 0, repeat('0', 64)) on conflict do nothing;
    select * into v_head from app.audit_heads where tenant_id = p_tenant for update;
    v_canonical := app.audit_canonical(v_head.seq + 1, p_tenant, v_at, p_actor, p_action,
                                       coalesce(p_target, ''), coalesce(p_request_id, ''),
                                       coalesce(p_changes, '{}'), v_head.hash);
    v_hash := encode(sha256(convert_to(v_canonical, 'UTF8')), 'hex');
    insert into app.audit_log (tenant_id, seq, occurred_at, actor, action, target, request_id, changes,
                               prev_hash, hash)
    values (p_tenant, v_head.seq + 1, v_at, p_actor, p_action, coalesce(p_target, ''),
            coalesce(p_request_id, ''), coalesce(p_changes, '{}'), v_head.hash, v_hash);
    update app.audit_heads set seq = v_head.seq + 1, hash = v_hash where tenant_id = p_tenant;
    return v_head.seq + 1;
end
$$;
revoke all on function app.audit_write(uuid, text, text, text, text, jsonb) from public;

-- A tenant's role writes only the chain of its transaction's tenant, never the platform's; the owner (CLI,
-- pipelines' platform steps) any chain.
create function app.audit_append(p_tenant uuid, p_actor text, p_action text, p_target text,
                                 p_request_id text, p_changes jsonb)
returns bigint language plpgsql security definer set search_path = pg_catalog, app
as $$
begin
    if not pg_has_role(session_user, 'earmark_owner', 'member')
       and (p_tenant is distinct from nullif(current_setting('app.tenant_id', true), '')::uuid
            or p_tenant = '00000000-0000-0000-0000-000000000000'::uuid) then
        raise exception 'audit entries go to the tenant of the transaction' using errcode = '42501';
    end if;
    return app.audit_write(p_tenant, p_actor, p_action, p_target, p_request_id, p_changes);
end
$$;

-- The platform's chain, from the API: only with a live platform key (the same proof the platform
-- functions of migration 0010 take).
create function app.audit_append_platform(p_key_id uuid, p_key_hash text, p_actor text, p_action text,
                                          p_target text, p_request_id text, p_changes jsonb)
returns bigint language plpgsql security definer set search_path = pg_catalog, app
as $$
begin
    perform app.authorize_platform_key(p_key_id, p_key_hash);
    return app.audit_write('00000000-0000-0000-0000-000000000000'::uuid, p_actor, p_action, p_target,
                           p_request_id, p_changes);
end
$$;

create function app.audit_refuse() returns trigger language plpgsql as $$
begin
    raise exception 'the audit log is append-only: % is refused', tg_op using errcode = '42501';
end
$$;
create trigger audit_log_append_only before update or delete on app.audit_log
    for each row execute function app.audit_refuse();
create trigger audit_log_no_truncate before truncate on app.audit_log
    for each statement execute function app.audit_refuse();
create trigger audit_heads_no_truncate before truncate on app.audit_heads
    for each statement execute function app.audit_refuse();

alter table app.audit_log enable row level security;
alter table app.audit_log force row level security;
alter table app.audit_heads enable row level security;
alter table app.audit_heads force row level security;
create policy tenant_isolation on app.audit_log
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
create policy tenant_isolation on app.audit_heads
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
create policy platform_all on app.audit_log to earmark_owner using (true) with check (true);
create policy platform_all on app.audit_heads to earmark_owner using (true) with check (true);
revoke all on app.audit_log, app.audit_heads from public;
grant select, insert on app.audit_log to earmark_api, earmark_transformer;
grant select on app.audit_heads to earmark_api, earmark_transformer;
revoke all on function app.audit_append(uuid, text, text, text, text, jsonb) from public;
grant execute on function app.audit_append(uuid, text, text, text, text, jsonb)
    to earmark_api, earmark_transformer;
revoke all on function app.audit_append_platform(uuid, text, text, text, text, text, jsonb) from public;
grant execute on function app.audit_append_platform(uuid, text, text, text, text, text, jsonb) to earmark_api;

-- Raw-data retention (point 4): raw rows older than this many months are deleted nightly.
alter table app.tenant_settings add column raw_retention_months integer not null default 25
    check (raw_retention_months between 1 and 120);

-- Data-subject requests (GDPR Articles 15, 16, 17). The subject's identifiers are needed while the request
-- is processed, so they are kept sealed (AES-GCM, key outside the database) until it completes and then
-- cleared; their keyed HMAC (subject_key) stays as the proof of which subject was handled. `phase` makes
-- processing resumable: received -> deleted (raw rows removed or re-keyed, affected dates recorded, in one
-- transaction) -> recomputed (the derived tables rebuilt for those dates) -> completed (the scan was
-- clean). A run that dies between two phases leaves the request where it was, never half-done.
create table app.privacy_requests (
    tenant_id        uuid not null references app.tenants (id) on delete cascade,
    id               uuid not null default gen_random_uuid(),
    kind             text not null check (kind in ('access', 'erasure', 'rectification')),
    subject_key      text not null,            -- HMAC pseudonym of the subject's user id
    subject_sealed   bytea,                    -- {"user_id", "email", "new_user_id"}, sealed; null once done
    requested_by     text not null,            -- pseudonymous actor, as in the audit log
    request_id       text not null default '',
    received_at      timestamptz not null default now(),
    due_at           timestamptz not null,      -- received + one calendar month (Art. 12(3))
    phase            text not null default 'received'
        check (phase in ('received', 'deleted', 'recomputed', 'completed')),
    affected_dates   date[] not null default '{}',
    evidence         jsonb not null default '{}',
    export_sealed    bytea,                    -- access: the export, until it is downloaded once
    exported_at      timestamptz,
    downloaded_at    timestamptz,
    attempted_at     timestamptz,
    completed_at     timestamptz,
    error            text,
    primary key (tenant_id, id)
);
create index privacy_requests_open on app.privacy_requests (tenant_id, phase, received_at);

alter table app.privacy_requests enable row level security;
alter table app.privacy_requests force row level security;
create policy tenant_isolation on app.privacy_requests
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
create policy platform_all on app.privacy_requests to earmark_owner, earmark_transformer
    using (true) with check (true);
grant select, insert, update on app.privacy_requests to earmark_api;
grant select, update on app.privacy_requests to earmark_transformer;
