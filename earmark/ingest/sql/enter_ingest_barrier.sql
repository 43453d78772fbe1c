-- Held until this ingest's transaction ends: an attribution run waits here for loads in flight
-- (dbt_project/macros/ingest_barrier.sql), so no committed event is ever missed by the run watermark.
select pg_advisory_xact_lock_shared(hashtextextended('earmark:ingest-barrier', 0))
