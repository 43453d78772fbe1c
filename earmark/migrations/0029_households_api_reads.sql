-- The read API's visitor match rate counts the users the site pixel saw: it may read just those columns of
-- raw.events (row-level security still scopes them to the caller's tenant; no other column is readable).
grant select (tenant_id, user_id, occurred_at, household_key) on raw.events to earmark_api;
