-- Households (issue 17): delivered ads matched to site visits by household, listener signals with one
-- dedupe order, and lift.
--
-- Pixel events arrive in the canonical event file with optional `ip`, `user_agent` and `survey_answer`
-- columns. The address is never stored in clear: `household_key` is the keyed HMAC of its IP key (IPv4, or
-- the IPv6 /64; the same key as request logs' ip_key, earmark.downloads.addresses) and `ip_sealed` the
-- address under AES-GCM (key outside the database), so data-centre and carrier membership can be judged
-- again when those lists change.
alter table raw.events add column household_key bigint;
alter table raw.events add column ip_sealed bytea;
alter table raw.events add column user_agent text;
alter table raw.events add column survey_answer text;

-- Matching window after an exposure, and the user agents a day beyond which a household is shared.
alter table app.tenant_settings add column match_window_days integer not null default 30
    check (match_window_days between 1 and 90);
alter table app.tenant_settings add column shared_household_agents integer not null default 20
    check (shared_household_agents between 1 and 10000);

create schema households;
grant usage on schema households to earmark_transformer, earmark_api;

-- Mobile-carrier and carrier-grade NAT ranges (a list loaded as data, like the bot list): addresses in
-- them are shared by many households and never match. Each import is a version; one is active.
create table households.carrier_list_versions (
    version    integer generated always as identity primary key,
    sha256     text not null,
    source     text not null,
    loaded_at  timestamptz not null default now(),
    active     boolean not null default false
);
create unique index carrier_list_one_active on households.carrier_list_versions (active) where active;
create table households.carrier_cidrs (
    version  integer not null references households.carrier_list_versions on delete cascade,
    line     integer not null,
    network  cidr not null,
    note     text not null default '',
    primary key (version, line)
);
grant select, insert, update on households.carrier_list_versions, households.carrier_cidrs to earmark_transformer;
grant select on households.carrier_list_versions to earmark_api;

-- Which ads each counted download delivered (R7), per window mode: the exposures household matching reads.
create table downloads.delivered_ads (
    tenant_id    uuid not null references app.tenants (id) on delete cascade,
    day          date not null,
    mode         text not null check (mode in ('fixed', 'rolling')),
    download_id  text collate "C" not null,
    ad_id        text collate "C" not null,
    primary key (tenant_id, day, mode, download_id, ad_id)
);

-- One row per exposure matched to a pixel event of the same household inside the window: what the
-- attribution touches and the match rates are made of. Rebuilt per tenant by the household_matches asset.
create table households.matches (
    tenant_id      uuid not null references app.tenants (id) on delete cascade,
    download_id    text collate "C" not null,
    ad_id          text collate "C" not null,
    user_id        text not null,
    exposed_at     timestamptz not null,
    household_key  bigint not null,
    campaign_id    text collate "C" not null,
    show_id        text collate "C" not null,
    episode_id     text collate "C" not null,
    placement_id   text collate "C" not null,
    first_visit_event_id text not null,
    first_visit_at timestamptz not null,
    primary key (tenant_id, download_id, ad_id, user_id)
);
create index matches_campaign on households.matches (tenant_id, campaign_id, show_id, exposed_at);

-- The exposures of each night and why the unmatched did not match, per campaign, show and day.
create table households.exposure_days (
    tenant_id        uuid not null references app.tenants (id) on delete cascade,
    day              date not null,
    campaign_id      text collate "C" not null,
    show_id          text collate "C" not null,
    exposures        bigint not null,       -- delivered ads of the campaign on the show
    households       bigint not null,       -- distinct household keys among them (reach)
    eligible         bigint not null,       -- exposures of residential, unshared households
    matched          bigint not null,       -- exposures matched to at least one visit
    excluded_datacenter bigint not null,
    excluded_carrier    bigint not null,
    excluded_shared     bigint not null,
    primary key (tenant_id, day, campaign_id, show_id)
);

-- The touches Earmark adds to attribution: household-matched exposures (podcast_impression, channel
-- podcast) and promo codes redeemed on a conversion. Survey answers matched to the catalog are links of
-- the survey touch itself (survey_links). A touch dropped by the dedupe order is listed in suppressed.
create table households.signal_touches (
    tenant_id     uuid not null references app.tenants (id) on delete cascade,
    event_id      text collate "C" not null,
    user_id       text not null,
    occurred_at   timestamptz not null,
    kind          text not null check (kind in ('household', 'promo_code')),
    channel       text not null,
    campaign_id   text collate "C" not null,
    show_id       text collate "C",
    episode_id    text collate "C",
    placement_id  text collate "C",
    source_event_id text not null,
    loaded_at     timestamptz not null default now(),
    primary key (tenant_id, event_id)
);
create index signal_touches_loaded on households.signal_touches (tenant_id, loaded_at);

create table households.survey_links (
    tenant_id    uuid not null references app.tenants (id) on delete cascade,
    event_id     text collate "C" not null,
    matched_kind text not null check (matched_kind in ('show', 'advertiser')),
    matched_id   text collate "C" not null,
    campaign_id  text collate "C",
    show_id      text collate "C",
    confidence   double precision not null check (confidence between 0 and 1),
    linked_at    timestamptz not null default now(),
    primary key (tenant_id, event_id)
);

-- Touches that must not be credited: a raw signal touch dropped by the dedupe order (kept_kind names the
-- signal that won), or a touch Earmark added earlier and no longer makes (its list class or the dedupe
-- changed). They stay in attribution's event stream flagged, so the dates they touched are recomputed.
create table households.suppressed (
    tenant_id    uuid not null references app.tenants (id) on delete cascade,
    event_id     text collate "C" not null,
    user_id      text not null,
    occurred_at  timestamptz not null,
    origin       text not null check (origin in ('raw', 'earmark')),
    conversion_event_id text,
    campaign_id  text collate "C",
    kept_kind    text,
    dropped_kind text not null,
    suppressed_at timestamptz not null default now(),
    primary key (tenant_id, event_id)
);

-- Each campaign's lift, per night: the figures and the sentence, and the inputs' sizes.
create table households.lift_results (
    tenant_id    uuid not null references app.tenants (id) on delete cascade,
    as_of        date not null,
    campaign_id  text collate "C" not null,
    metric       text not null check (metric in ('visits', 'conversions')),
    result       jsonb not null,
    computed_at  timestamptz not null default now(),
    primary key (tenant_id, as_of, campaign_id, metric)
);

do $$
declare
    entity text;
begin
    foreach entity in array array['households.matches', 'households.exposure_days', 'households.signal_touches',
                                  'households.survey_links', 'households.suppressed', 'households.lift_results',
                                  'downloads.delivered_ads'] loop
        execute format('alter table %s enable row level security', entity);
        execute format('alter table %s force row level security', entity);
        execute format($p$create policy tenant_isolation on %s
            using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
            with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$, entity);
        execute format('create policy platform_all on %s to earmark_owner, earmark_transformer '
                       'using (true) with check (true)', entity);
        execute format('grant select, insert, update, delete on %s to earmark_transformer', entity);
        execute format('grant select on %s to earmark_api', entity);
    end loop;
end $$;
