-- Ingest batches past retention: finished (or, never finished, started) before the cutoff, or holding a
-- quarantined row rejected before it. A batch goes with all its quarantine, so the ingest_batches_balanced
-- check (rejected = rows in quarantine) still holds for every batch that stays.
select batch_id from raw.ingest_batches
where tenant_id = %(tenant_id)s and coalesce(finished_at, started_at) < %(cutoff_at)s
union
select batch_id from raw.rejected_events
where tenant_id = %(tenant_id)s and rejected_at < %(cutoff_at)s
