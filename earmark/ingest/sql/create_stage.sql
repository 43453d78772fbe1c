-- A private, transaction-scoped landing spot for one file's valid rows. Times arrive as
-- microseconds since the epoch: Postgres parses an integer in half the time of a timestamp.
create temporary table events_stage (
    event_id     text collate "C" not null,
    user_id      text not null,
    occurred_at_us  bigint not null,
    event_type   text not null,
    channel      text,
    campaign_id  text,
    revenue      numeric not null,
    source       text,
    currency     text,
    show_id      text,
    episode_id   text,
    placement_id text,
    promo_code   text,
    vanity_url   text,
    -- a pixel event's (validate.PIXEL_COLUMNS; null unless the file has them): never the address in clear
    household_key bigint,
    ip_sealed    bytea,
    user_agent   text,
    survey_answer text
) on commit drop
