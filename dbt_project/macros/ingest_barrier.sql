{#-
  Waits until every ingest that is loading events right now has committed (or rolled back).

  Each ingest holds the shared advisory lock 'earmark:ingest-barrier' for its whole transaction
  (earmark/ingest/sql/enter_ingest_barrier.sql) and stamps its rows' loaded_at only once it holds it.
  Taking and at once releasing the exclusive lock here therefore splits ingests in two: those that
  began before the barrier are committed before the model that runs it reads raw.events (READ
  COMMITTED: each statement sees what committed before it), and those that begin after it stamp a
  loaded_at later than this run's start, so the next run's watermark (loaded_at > computed_at) sees
  them. Without it, an ingest that began before a run and committed during it was never attributed.

  The cost: the run waits for the longest load in flight (about 40 s for a 4M-row file), and while it
  waits, ingests that start queue behind its lock request (Postgres grants locks in order), so loads
  pause for that long too. No lock_timeout on purpose: a nightly run that failed on it would leave
  yesterday unattributed, which is worse than a wait. The argument assumes dbt's clock (the run start it
  records) and the database's (loaded_at) agree, as they do on one host.
-#}
{% macro wait_for_ingests_in_flight() -%}
    select pg_advisory_lock(hashtextextended('earmark:ingest-barrier', 0));
    select pg_advisory_unlock(hashtextextended('earmark:ingest-barrier', 0))
{%- endmacro %}
