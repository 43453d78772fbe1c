-- People who sign in (issue 11): each belongs to one tenant and has one role. Keys stay machine
-- credentials (app.api_keys); a user's role maps to the same scopes (earmark/identity/roles.py).
create table app.users (
    tenant_id      uuid not null references app.tenants (id) on delete cascade,
    id             uuid not null default gen_random_uuid(),
    -- As typed (for display and mail); uniqueness and sign-in compare lower(email).
    email          text not null check (length(email) between 3 and 254 and email ~ '^[^@\s]+@[^@\s]+$'),
    role           text not null check (role in ('owner', 'admin', 'analyst', 'viewer')),
    status         text not null default 'active' check (status in ('active', 'disabled')),
    -- argon2id in PHC string format ($argon2id$v=19$m=...,t=...,p=...$salt$hash); never the password.
    password_hash  text not null check (password_hash like '$argon2id$%'),
    created_at     timestamptz not null default now(),
    last_login_at  timestamptz,
    disabled_at    timestamptz,
    primary key (tenant_id, id)
);
create unique index users_email_per_tenant on app.users (tenant_id, lower(email));

alter table app.users enable row level security;
alter table app.users force row level security;
create policy tenant_isolation on app.users
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
-- The operator's CLI (earmark users ...) runs as the owner, across tenants.
create policy platform_all on app.users to earmark_owner using (true) with check (true);

grant select, insert, update on app.users to earmark_api;

-- Keys may carry users:admin (earmark.credentials.TENANT_SCOPES): a key acts as an admin of users.
alter table app.api_keys drop constraint api_keys_scopes_check;
alter table app.api_keys add constraint api_keys_scopes_check check (
    cardinality(scopes) > 0
    and scopes <@ array['attribution:read', 'settings:write', 'keys:admin', 'users:admin',
                        'catalog:write']::text[]
);
