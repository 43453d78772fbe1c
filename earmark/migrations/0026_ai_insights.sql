-- Insights (issue 15): daily metrics a tenant imports for shows hosted elsewhere, and what the nightly
-- models made of every daily series: anomalies, forecasts, campaign predictions and recommendations.
-- Every output row carries the night it was made for (as_of, the last complete UTC day it used); the
-- model, its parameters, version and a digest of its inputs sit beside the outputs in ai.model_fits, so
-- a result can be explained and reproduced. Rerunning a night deletes that night's rows and writes them
-- again in one transaction. Same RLS as the rest of schema `ai`; the transformer also reads
-- imported_metrics across tenants, because dbt builds the daily-metrics mart for every tenant at once.

-- The tenant's country, for the holiday calendar of its series (ISO 3166-1 alpha-2).
alter table app.tenant_settings add column country text not null default 'US' check (country ~ '^[A-Z]{2}$');

-- One value per show, metric and UTC day; a day without a row is missing, not zero. No foreign key to
-- catalog.shows: the importer checks the show against the catalog, and a show deleted later leaves its
-- history behind for audit rather than blocking the delete.
create table ai.imported_metrics (
    tenant_id  uuid not null references app.tenants (id) on delete cascade,
    show_id    text collate "C" not null,
    metric     text collate "C" not null check (metric ~ '^[a-z][a-z0-9_]{0,62}$'),
    day        date not null,
    value      double precision not null
        check (value not in ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8)),
    loaded_at  timestamptz not null default now(),
    primary key (tenant_id, show_id, metric, day)
);

-- One fitted model per task, night and series (or per campaign for predictions, one per night for
-- recommendations): what produced the rows below.
create table ai.model_fits (
    tenant_id   uuid not null references app.tenants (id) on delete cascade,
    task        text not null check (task in ('anomalies', 'forecasts', 'campaign_predictions',
                                               'recommendations')),
    as_of       date not null,
    scope       text not null check (scope in ('show', 'campaign', 'tenant')),
    entity_id   text collate "C" not null,
    metric      text collate "C" not null,
    model       jsonb not null,   -- name, version, parameters
    inputs      jsonb not null,   -- window, points used, source, sha256 of the input values
    run_id      text,             -- the Dagster run that wrote it
    fitted_at   timestamptz not null default now(),
    primary key (tenant_id, task, as_of, scope, entity_id, metric)
);

create table ai.anomalies (
    tenant_id        uuid not null references app.tenants (id) on delete cascade,
    as_of            date not null,
    scope            text not null check (scope in ('show', 'campaign')),
    entity_id        text collate "C" not null,
    metric           text collate "C" not null,
    day              date not null,
    actual           double precision not null,
    expected         double precision not null,
    lower            double precision not null,
    upper            double precision not null,
    score            double precision not null,
    kind             text not null check (kind in ('spike', 'dip', 'level_shift', 'pattern_break')),
    explanation      text not null,
    -- the dimension that contributed most to the gap, where Earmark has the detail
    dimension        text check (dimension in ('episode', 'ip_key', 'campaign', 'show', 'channel')),
    dimension_value  text,
    dimension_share  double precision check (dimension_share between 0 and 1),
    primary key (tenant_id, as_of, scope, entity_id, metric, day)
);
create index anomalies_by_day on ai.anomalies (tenant_id, as_of, day);

create table ai.forecasts (
    tenant_id  uuid not null references app.tenants (id) on delete cascade,
    as_of      date not null,
    scope      text not null check (scope in ('show', 'campaign')),
    entity_id  text collate "C" not null,
    metric     text collate "C" not null,
    day        date not null,
    predicted  double precision not null,
    lower      double precision not null,   -- 80 % interval
    upper      double precision not null,
    primary key (tenant_id, as_of, scope, entity_id, metric, day)
);

-- What a campaign's placements are expected to deliver over the next weeks at their recent weekly spend.
create table ai.campaign_predictions (
    tenant_id          uuid not null references app.tenants (id) on delete cascade,
    as_of              date not null,
    campaign_id        text collate "C" not null,
    show_id            text collate "C" not null,
    slot               text not null,
    kind               text not null,
    weeks              integer not null check (weeks > 0),
    spend              double precision not null,
    conversions        double precision not null,
    conversions_lower  double precision not null,
    conversions_upper  double precision not null,
    roas               double precision,
    roas_lower         double precision,
    roas_upper         double precision,
    pooled             boolean not null,
    validation         jsonb not null,
    primary key (tenant_id, as_of, campaign_id, show_id, slot)
);

create table ai.recommendations (
    tenant_id     uuid not null references app.tenants (id) on delete cascade,
    as_of         date not null,
    seq           integer not null,
    kind          text not null check (kind in ('budget_shift', 'ad_read_fix', 'anomaly_action')),
    target        text not null,
    action        text not null,
    effect        double precision not null,
    effect_lower  double precision not null,
    effect_upper  double precision not null,
    effect_unit   text not null,
    evidence      jsonb not null,
    model         jsonb not null,
    primary key (tenant_id, as_of, seq)
);

do $$
declare
    entity text;
begin
    foreach entity in array array['imported_metrics', 'model_fits', 'anomalies', 'forecasts',
                                  'campaign_predictions', 'recommendations'] loop
        execute format('alter table ai.%I enable row level security', entity);
        execute format('alter table ai.%I force row level security', entity);
        execute format($p$create policy tenant_isolation on ai.%I
            using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
            with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$, entity);
        execute format('create policy platform_all on ai.%I to earmark_owner using (true) with check (true)',
                       entity);
        execute format('grant select on ai.%I to earmark_api', entity);
    end loop;
    foreach entity in array array['model_fits', 'anomalies', 'forecasts', 'campaign_predictions',
                                  'recommendations'] loop
        execute format('grant select, insert, delete on ai.%I to earmark_transformer', entity);
    end loop;
end $$;

-- The CLI imports through the API role (RLS scopes every row), as the catalog importer does; dbt reads
-- every tenant's imported metrics to build the mart.
grant insert, update on ai.imported_metrics to earmark_api;
grant select on ai.imported_metrics to earmark_transformer;
create policy transformer_reads_all on ai.imported_metrics for select to earmark_transformer using (true);
