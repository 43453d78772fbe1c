-- "What was loaded since the last run" without reading every event: `earmark run` asks it to choose the
-- days it re-attributes, and int_attribution_scopes to find late data. Events are appended batch by
-- batch, so loaded_at follows the table's physical order and a BRIN index (a few pages, per-row upkeep
-- nearly free for bulk loads, unlike a btree) skips every block loaded before the watermark.
create index events_loaded_at on raw.events using brin (loaded_at);
