-- The file's event ids, to find which raw.events already holds before any row is staged.
create temporary table incoming_ids (event_id text collate "C" not null) on commit drop
