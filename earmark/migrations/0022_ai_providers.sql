-- AI providers (AI issue, point 1): the order in which a tenant's analyses try OpenAI, Anthropic and the
-- local analyzer, the tenant's own provider keys (sealed), a per-tenant answer cache and the usage ledger.

-- Null: the platform's order (EARMARK_AI_PROVIDERS). The code refuses a repeated name and `local`
-- anywhere but last (it answers every time, so nothing after it would ever run).
alter table app.tenant_settings add column ai_providers text[]
    check (ai_providers is null or (cardinality(ai_providers) between 1 and 3
                                    and ai_providers <@ array['openai', 'anthropic', 'local']));

-- A tenant's own key for a provider: AES-GCM ciphertext (nonce || ciphertext+tag) under a key derived
-- from EARMARK_SECRET_KEY, with tenant and provider as associated data, so a row copied to another
-- tenant or provider does not open. Without a row the platform's key (environment) is used.
create table app.ai_provider_keys (
    tenant_id   uuid not null references app.tenants (id) on delete cascade,
    provider    text not null check (provider in ('openai', 'anthropic')),
    sealed      bytea not null,
    updated_at  timestamptz not null default now(),
    primary key (tenant_id, provider)
);

-- Answers by sha256 of (task, prompt version, model, input text). Per tenant, not shared: two tenants
-- sending the same text must not learn from each other's cache (a hit would tell one tenant what another
-- analysed, and RLS could not keep a shared row to one of them).
create table app.ai_cache (
    tenant_id       uuid not null references app.tenants (id) on delete cascade,
    cache_key       text not null check (cache_key ~ '^[0-9a-f]{64}$'),
    task            text not null,
    prompt_version  text not null,
    provider        text not null check (provider in ('openai', 'anthropic')),
    model           text not null,
    answer          jsonb not null,
    created_at      timestamptz not null default now(),
    primary key (tenant_id, cache_key)
);

-- Every attempt of every analysis, for the cost issue: appended by the code that made the call, in its
-- own short transaction, so a failed analysis still leaves what it spent. analysis_id groups the
-- attempts of one analysis; the row with outcome ok (or cached) says which provider answered, and
-- key_source whose account paid for each call.
create table app.ai_calls (
    tenant_id       uuid not null references app.tenants (id) on delete cascade,
    id              uuid not null default gen_random_uuid(),
    analysis_id     uuid not null,
    called_at       timestamptz not null default now(),
    task            text not null,
    prompt_version  text not null,
    provider        text not null check (provider in ('openai', 'anthropic', 'local')),
    model           text not null,
    outcome         text not null check (outcome in ('ok', 'retry', 'failed', 'skipped', 'cached')),
    http_status     integer,
    -- Why an attempt did not answer: timeout, connection, http, malformed, refusal, no_key, unreadable_key,
    -- unexpected (the provider raised something else; its text is never stored, it may quote a key).
    error           text,
    tokens_in       integer not null default 0 check (tokens_in >= 0),
    tokens_out      integer not null default 0 check (tokens_out >= 0),
    latency_ms      integer not null default 0 check (latency_ms >= 0),
    -- USD from the price table (earmark/ai/prices.toml, or the file EARMARK_AI_PRICES names); null when
    -- the model has no price there (tokens are still counted).
    cost_usd        numeric check (cost_usd >= 0),
    cache_key       text not null,
    -- Whose key a provider call was made with: the tenant's own (sealed in app.ai_provider_keys) or the
    -- platform's (environment). Null exactly for the rows no key paid for: the local analyzer, a cache
    -- hit, a skipped provider.
    key_source      text check (key_source in ('tenant', 'platform')),
    constraint ai_calls_paid_calls_have_a_key_source
        check ((key_source is not null) = (provider <> 'local' and outcome in ('ok', 'retry', 'failed'))),
    primary key (tenant_id, id)
);
create index ai_calls_by_time on app.ai_calls (tenant_id, called_at);
create index ai_calls_by_analysis on app.ai_calls (tenant_id, analysis_id);

-- Only the owner (the CLI) sees every tenant. The pipelines (transformer) reach these tables through a
-- tenant transaction like the API does, so a bug cannot file one tenant's usage or cache under another.
do $$
declare t text;
begin
    foreach t in array array['ai_provider_keys', 'ai_cache', 'ai_calls'] loop
        execute format('alter table app.%I enable row level security', t);
        execute format('alter table app.%I force row level security', t);
        execute format($p$create policy tenant_isolation on app.%I
            using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
            with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$, t);
        execute format('create policy platform_all on app.%I to earmark_owner using (true) with check (true)', t);
    end loop;
end $$;
grant select on app.ai_provider_keys to earmark_transformer;
grant select, insert on app.ai_cache, app.ai_calls to earmark_transformer;
grant select on app.ai_calls to earmark_api;
