-- COPY cannot write a table with row-level security: synthetic events land in a temp table first.
create temp table if not exists events_staged (like raw.events including defaults)
