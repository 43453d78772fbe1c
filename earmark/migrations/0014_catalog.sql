-- The podcast catalog: what a tenant buys (advertisers, shows, episodes, campaigns, placements, ad slots,
-- promo codes, vanity URLs) and what was delivered. Every table: tenant_id leads each key, RLS enabled
-- and forced. Keys are the tenant's own ids (text), so a catalog file re-imports by its ids.
-- References go through composite foreign keys that include tenant_id: no row can point at another
-- tenant's show. They are NO ACTION, so deleting a referred row fails (the API names the referrers), while
-- every table also cascades from app.tenants, so deleting a tenant deletes its whole catalog at once.

create schema catalog;
grant usage on schema catalog to earmark_transformer, earmark_api;

-- The one spelling of a code and a URL, used by the catalog tables' checks, ingestion and dbt.
-- A code is its ASCII letters and digits, upper-case ("Sprocket-20" -> SPROCKET20); a URL has no white space,
-- ASCII lower-case, no scheme or "www." in front, no query, fragment or trailing slash
-- ("https://www.Brand.com/Show/?utm=x" -> brand.com/show). earmark.catalog.entities spells both in Python.
create function catalog.normalise_code(code text) returns text
    language sql immutable parallel safe
    return nullif(upper(regexp_replace(code, '[^0-9A-Za-z]', '', 'g')), '');

create function catalog.normalise_url(url text) returns text
    language sql immutable parallel safe
    return nullif(
        regexp_replace(
            regexp_replace(
                translate(regexp_replace(url, '[ \t\n\r\f\v]', '', 'g'),
                          'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'),
                '^([a-z][a-z0-9+.-]*://|www\.)+', ''),
            '/*([?#].*)?$', ''),
        '');

-- A ratio for a report (CPA, ROAS, CPM): null when the divisor is zero, or when the quotient is too large
-- for a double (a show credited 1e-300 of a conversion by time decay), never an error or infinity.
create function catalog.ratio(numerator numeric, denominator numeric) returns double precision
    language sql immutable parallel safe
    return case
        when denominator <> 0 and abs(numerator / denominator) < 1e300 then (numerator / denominator)::float8
    end;

create table catalog.advertisers (
    tenant_id      uuid not null references app.tenants (id) on delete cascade,
    advertiser_id  text collate "C" not null,
    name           text not null,
    aliases        text[] not null default '{}',
    domains        text[] not null default '{}',
    kind           text not null default 'advertiser'
        check (kind in ('advertiser', 'partner_podcast', 'own_show')),
    updated_at     timestamptz not null default now(),
    primary key (tenant_id, advertiser_id)
);

create table catalog.shows (
    tenant_id  uuid not null references app.tenants (id) on delete cascade,
    show_id    text collate "C" not null,
    title      text not null,
    feed_url   text,
    network    text,
    hosts      text[] not null default '{}',
    updated_at timestamptz not null default now(),
    primary key (tenant_id, show_id)
);

-- Bytes and duration are unknown (null) for a show imported without its host's feed.
create table catalog.episodes (
    tenant_id      uuid not null references app.tenants (id) on delete cascade,
    episode_id     text collate "C" not null,
    show_id        text collate "C" not null,
    published_at   timestamptz,
    enclosure_url  text,
    bytes_total    bigint check (bytes_total > 0),
    duration_s     numeric check (duration_s > 0),
    id3_bytes      bigint check (id3_bytes >= 0),
    updated_at     timestamptz not null default now(),
    primary key (tenant_id, episode_id),
    -- what a placement's (show, episode) pair refers to, so an episode is always on its placement's show
    unique (tenant_id, episode_id, show_id),
    foreign key (tenant_id, show_id) references catalog.shows (tenant_id, show_id),
    check (id3_bytes is null or bytes_total is null or id3_bytes < bytes_total)
);
create index episodes_show on catalog.episodes (tenant_id, show_id);

create table catalog.campaigns (
    tenant_id      uuid not null references app.tenants (id) on delete cascade,
    campaign_id    text collate "C" not null,
    advertiser_id  text collate "C" not null,
    name           text not null,
    starts_on      date not null,
    ends_on        date not null,
    currency       text not null check (currency ~ '^[A-Z]{3}$'),
    budget         numeric check (budget >= 0),
    updated_at     timestamptz not null default now(),
    primary key (tenant_id, campaign_id),
    foreign key (tenant_id, advertiser_id) references catalog.advertisers (tenant_id, advertiser_id),
    check (ends_on >= starts_on)
);
create index campaigns_advertiser on catalog.campaigns (tenant_id, advertiser_id);

-- An ad bought on a show (run of show) or on one episode of it. `rate` is the price of its pricing model:
-- per thousand impressions (cpm), the whole fee (flat, spread evenly over the flight's days), or per
-- conversion attributed to the placement under the tenant's reporting model (cpa). The flight defaults
-- to the campaign's.
create table catalog.placements (
    tenant_id     uuid not null references app.tenants (id) on delete cascade,
    placement_id  text collate "C" not null,
    campaign_id   text collate "C" not null,
    show_id       text collate "C" not null,
    episode_id    text collate "C",
    slot          text not null check (slot in ('pre', 'mid', 'post')),
    kind          text not null check (kind in ('host_read', 'produced', 'dynamic_insert')),
    pricing       text not null check (pricing in ('cpm', 'flat', 'cpa')),
    rate          numeric not null check (rate >= 0),
    starts_on     date,
    ends_on       date,
    updated_at    timestamptz not null default now(),
    primary key (tenant_id, placement_id),
    foreign key (tenant_id, campaign_id) references catalog.campaigns (tenant_id, campaign_id),
    foreign key (tenant_id, show_id) references catalog.shows (tenant_id, show_id),
    foreign key (tenant_id, episode_id, show_id) references catalog.episodes (tenant_id, episode_id, show_id),
    check (ends_on is null or starts_on is null or ends_on >= starts_on)
);
create index placements_campaign on catalog.placements (tenant_id, campaign_id);
create index placements_show on catalog.placements (tenant_id, show_id);
create index placements_episode on catalog.placements (tenant_id, episode_id);

-- Where an ad sits in an episode's file: bytes start_byte..end_byte, both inclusive as in an HTTP range.
create table catalog.ad_slots (
    tenant_id     uuid not null references app.tenants (id) on delete cascade,
    ad_id         text collate "C" not null,
    episode_id    text collate "C" not null,
    kind          text not null check (kind in ('dai', 'baked')),
    start_byte    bigint not null check (start_byte >= 0),
    end_byte      bigint not null,
    placement_id  text collate "C",
    updated_at    timestamptz not null default now(),
    primary key (tenant_id, ad_id),
    foreign key (tenant_id, episode_id) references catalog.episodes (tenant_id, episode_id),
    foreign key (tenant_id, placement_id) references catalog.placements (tenant_id, placement_id),
    check (end_byte >= start_byte)
);
create index ad_slots_episode on catalog.ad_slots (tenant_id, episode_id);
create index ad_slots_placement on catalog.ad_slots (tenant_id, placement_id);

create table catalog.promo_codes (
    tenant_id    uuid not null references app.tenants (id) on delete cascade,
    code         text collate "C" not null check (code = catalog.normalise_code(code)),
    campaign_id  text collate "C" not null,
    show_id      text collate "C",
    updated_at   timestamptz not null default now(),
    primary key (tenant_id, code),
    foreign key (tenant_id, campaign_id) references catalog.campaigns (tenant_id, campaign_id),
    foreign key (tenant_id, show_id) references catalog.shows (tenant_id, show_id)
);
create index promo_codes_campaign on catalog.promo_codes (tenant_id, campaign_id);
create index promo_codes_show on catalog.promo_codes (tenant_id, show_id);

create table catalog.vanity_urls (
    tenant_id    uuid not null references app.tenants (id) on delete cascade,
    url          text collate "C" not null check (url = catalog.normalise_url(url)),
    campaign_id  text collate "C" not null,
    show_id      text collate "C",
    updated_at   timestamptz not null default now(),
    primary key (tenant_id, url),
    foreign key (tenant_id, campaign_id) references catalog.campaigns (tenant_id, campaign_id),
    foreign key (tenant_id, show_id) references catalog.shows (tenant_id, show_id)
);
create index vanity_urls_campaign on catalog.vanity_urls (tenant_id, campaign_id);
create index vanity_urls_show on catalog.vanity_urls (tenant_id, show_id);

-- Impressions a host reported per placement and UTC day, until Earmark counts ad deliveries itself.
create table catalog.deliveries (
    tenant_id     uuid not null references app.tenants (id) on delete cascade,
    placement_id  text collate "C" not null,
    day           date not null,
    impressions   bigint not null check (impressions >= 0),
    updated_at    timestamptz not null default now(),
    primary key (tenant_id, placement_id, day),
    foreign key (tenant_id, placement_id) references catalog.placements (tenant_id, placement_id)
);

-- A counter per tenant that every catalog write moves on (statement triggers below). The attribution run
-- records the revision it read; a different one next time means the touches' shows and placements may
-- resolve differently, so that tenant is recomputed (a late catalog import fixes '(unknown)').
create table catalog.revisions (
    tenant_id   uuid not null references app.tenants (id) on delete cascade,
    revision    bigint not null default 1,
    revised_at  timestamptz not null default now(),
    primary key (tenant_id)
);

-- One function for the three statement triggers: a delete's rows are in old_rows, the others' in new_rows
-- (PL/pgSQL plans each query when it first runs, so the branch not taken never names a missing table).
create function catalog.revise() returns trigger
    language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        insert into catalog.revisions as r (tenant_id)
        select distinct tenant_id from old_rows
        where exists (select from app.tenants t where t.id = old_rows.tenant_id)  -- not for a deleted tenant
        on conflict (tenant_id) do update set revision = r.revision + 1, revised_at = now();
    else
        insert into catalog.revisions as r (tenant_id)
        select distinct tenant_id from new_rows
        on conflict (tenant_id) do update set revision = r.revision + 1, revised_at = now();
    end if;
    return null;
end $$;

do $$
declare
    entity text;
begin
    foreach entity in array array['advertisers', 'shows', 'episodes', 'campaigns', 'placements', 'ad_slots',
                                  'promo_codes', 'vanity_urls', 'deliveries'] loop
        execute format('alter table catalog.%I enable row level security', entity);
        execute format('alter table catalog.%I force row level security', entity);
        execute format($p$create policy tenant_isolation on catalog.%I
            using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
            with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$, entity);
        execute format('create policy platform_all on catalog.%I to earmark_owner, earmark_transformer '
                       'using (true) with check (true)', entity);
        execute format('create trigger revise_on_insert after insert on catalog.%I referencing new table as '
                       'new_rows for each statement execute function catalog.revise()', entity);
        execute format('create trigger revise_on_update after update on catalog.%I referencing new table as '
                       'new_rows for each statement execute function catalog.revise()', entity);
        execute format('create trigger revise_on_delete after delete on catalog.%I referencing old table as '
                       'old_rows for each statement execute function catalog.revise()', entity);
        -- The API edits the catalog; the CLI imports through the API role too (RLS then scopes every row).
        execute format('grant select, insert, update, delete on catalog.%I to earmark_api', entity);
        execute format('grant select on catalog.%I to earmark_transformer', entity);
    end loop;
end $$;

alter table catalog.revisions enable row level security;
alter table catalog.revisions force row level security;
create policy tenant_isolation on catalog.revisions
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
create policy platform_all on catalog.revisions to earmark_owner, earmark_transformer
    using (true) with check (true);
grant select, insert, update on catalog.revisions to earmark_api;
grant select on catalog.revisions to earmark_transformer;
grant execute on function catalog.normalise_code(text), catalog.normalise_url(text),
    catalog.ratio(numeric, numeric)
    to earmark_transformer, earmark_api;

-- Events name the catalog: a show, an episode, a placement, or the promo code / vanity URL a touch used.
-- Unknown ids are kept as sent; reports show them as '(unknown)' until the catalog knows them.
alter table raw.events
    add column show_id text collate "C",
    add column episode_id text collate "C",
    add column placement_id text collate "C",
    add column promo_code text collate "C",
    add column vanity_url text collate "C";

-- The model reports and the API use when none is asked for, and under which CPA placements are billed.
alter table app.tenant_settings
    add column reporting_model text not null default 'linear'
        check (reporting_model in ('first_touch', 'last_touch', 'linear', 'time_decay', 'position_based'));

alter table app.api_keys drop constraint api_keys_scopes_check;
alter table app.api_keys add constraint api_keys_scopes_check check (
    cardinality(scopes) > 0
    and scopes <@ array['attribution:read', 'settings:write', 'keys:admin', 'catalog:write']::text[]
);
