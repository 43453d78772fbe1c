-- A private, transaction-scoped landing spot for one file's valid rows.
create temporary table events_stage (
    event_id     text collate "C" not null,
    user_id      text not null,
    occurred_at  timestamptz not null,
    event_type   text not null,
    channel      text,
    campaign_id  text,
    revenue      numeric not null,
    source       text,
    currency     text
) on commit drop
