-- Episode transcripts and what Earmark reads in them: cues, sentiment, keywords, people and brands named,
-- topics across a tenant's episodes, and ad reads. Schema `ai`; every table: tenant_id leads each key, RLS
-- enabled and forced. The pipeline (transformer) writes them, always inside a tenant transaction: unlike
-- the ingestion tables, these have no policy that lets the transformer see every tenant, so a query that
-- forgot its tenant filter still sees one tenant. The API reads what its routes serve.
--
-- An episode is the tenant's catalog episode id when the transcript was loaded for one, else the file's
-- stem: no foreign key to catalog.episodes, so a transcript can arrive before (or without) its catalog row.

create schema ai;
grant usage on schema ai to earmark_transformer, earmark_api;

-- One transcript per episode: loading a new version replaces the cues (and the analysis is redone).
create table ai.transcripts (
    tenant_id     uuid not null references app.tenants (id) on delete cascade,
    episode_id    text collate "C" not null,
    source_file   text not null,
    format        text not null check (format in ('vtt', 'srt', 'json')),
    content_hash  text not null,  -- sha256 of the cues as parsed: the same words in another format are equal
    cue_count     integer not null check (cue_count > 0),
    duration_s    numeric not null check (duration_s >= 0),
    words         integer not null,
    loaded_at     timestamptz not null default now(),
    primary key (tenant_id, episode_id)
);

create table ai.transcript_cues (
    tenant_id   uuid not null references app.tenants (id) on delete cascade,
    episode_id  text collate "C" not null,
    seq         integer not null,
    start_s     numeric not null check (start_s >= 0),
    end_s       numeric not null,
    speaker     text,
    text        text not null,
    primary key (tenant_id, episode_id, seq),
    foreign key (tenant_id, episode_id) references ai.transcripts (tenant_id, episode_id) on delete cascade,
    check (end_s >= start_s)
);

-- Per episode, for the transcript with content_hash: an analysis is current when the hashes agree.
create table ai.episode_analyses (
    tenant_id          uuid not null references app.tenants (id) on delete cascade,
    episode_id         text collate "C" not null,
    content_hash       text not null,
    -- null when no cue holds speech: an episode of music alone has no sentiment, not a neutral one
    sentiment          numeric check (sentiment between -1 and 1),
    sentiment_label    text check (sentiment_label in ('positive', 'neutral', 'negative')),
    sentiment_method   text not null,
    positive_share     numeric not null,
    neutral_share      numeric not null,
    negative_share     numeric not null,
    keywords           jsonb not null default '[]',  -- [{"term", "score"}]
    brands             jsonb not null default '[]',  -- [{"brand", "advertiser_id", "kind", "mentions"}]
    people             jsonb not null default '[]',  -- [{"name", "mentions", "first_s"}]
    analyzer           text not null,
    analysed_at        timestamptz not null default now(),
    primary key (tenant_id, episode_id),
    foreign key (tenant_id, episode_id) references ai.transcripts (tenant_id, episode_id) on delete cascade
);

create table ai.cue_sentiments (
    tenant_id   uuid not null references app.tenants (id) on delete cascade,
    episode_id  text collate "C" not null,
    seq         integer not null,
    compound    numeric not null check (compound between -1 and 1),
    label       text not null check (label in ('positive', 'neutral', 'negative')),
    primary key (tenant_id, episode_id, seq),
    foreign key (tenant_id, episode_id, seq) references ai.transcript_cues (tenant_id, episode_id, seq)
        on delete cascade
);

-- The ad segments of an episode, on cue boundaries, and the checks against the brand's campaign.
create table ai.ad_reads (
    tenant_id      uuid not null references app.tenants (id) on delete cascade,
    episode_id     text collate "C" not null,
    seq            integer not null,
    start_s        numeric not null,
    end_s          numeric not null,
    first_cue      integer not null,
    last_cue       integer not null,
    kind           text not null
        check (kind in ('host_read', 'produced', 'dynamic_insert', 'cross_promo', 'self_promo')),
    brand          text,
    advertiser_id  text collate "C",
    promo_codes    text[] not null default '{}',
    vanity_urls    text[] not null default '{}',
    position       text not null check (position in ('pre', 'mid', 'post')),
    confidence     numeric not null check (confidence between 0 and 1),
    evidence       text[] not null default '{}',
    campaign_id    text collate "C",
    code_said      boolean,  -- null: the campaign has no code to say
    url_said       boolean,
    url_repeats    integer not null default 0,
    cta            boolean not null,
    analyzer       text not null,  -- which provider's answer this is (local, or the LLM that refined it)
    primary key (tenant_id, episode_id, seq),
    foreign key (tenant_id, episode_id) references ai.transcripts (tenant_id, episode_id) on delete cascade,
    check (end_s >= start_s)
);
create index ad_reads_advertiser on ai.ad_reads (tenant_id, advertiser_id);

-- Topics across a tenant's episodes (NMF over its corpus), replaced whole by each analysis.
create table ai.topics (
    tenant_id    uuid not null references app.tenants (id) on delete cascade,
    topic_no     integer not null,
    label        text not null,
    terms        text[] not null,
    analysed_at  timestamptz not null default now(),
    primary key (tenant_id, topic_no)
);

create table ai.topic_episodes (
    tenant_id   uuid not null references app.tenants (id) on delete cascade,
    topic_no    integer not null,
    episode_id  text collate "C" not null,
    weight      numeric not null,
    primary key (tenant_id, topic_no, episode_id),
    foreign key (tenant_id, topic_no) references ai.topics (tenant_id, topic_no) on delete cascade,
    foreign key (tenant_id, episode_id) references ai.transcripts (tenant_id, episode_id) on delete cascade
);
create index topic_episodes_episode on ai.topic_episodes (tenant_id, episode_id);

do $$
declare
    entity text;
begin
    foreach entity in array array['transcripts', 'transcript_cues', 'episode_analyses', 'cue_sentiments',
                                  'ad_reads', 'topics', 'topic_episodes'] loop
        execute format('alter table ai.%I enable row level security', entity);
        execute format('alter table ai.%I force row level security', entity);
        execute format($p$create policy tenant_isolation on ai.%I
            using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
            with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$, entity);
        execute format('create policy platform_all on ai.%I to earmark_owner using (true) with check (true)',
                       entity);
        execute format('grant select, insert, update, delete on ai.%I to earmark_transformer', entity);
    end loop;
end $$;

-- The read API serves ad reads and each episode's analysis and topics; cues stay in the pipeline.
grant select on ai.transcripts, ai.episode_analyses, ai.ad_reads, ai.topics, ai.topic_episodes to earmark_api;
