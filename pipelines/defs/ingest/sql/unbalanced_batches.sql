-- Succeeded batches whose counts do not add up, or whose quarantine does not hold exactly the rejected rows.
select count(*) from raw.ingest_batches b
where b.status = 'succeeded'
  and (b.rows <> b.loaded + b.duplicates + b.rejected
       or b.rejected <> (select count(*) from raw.rejected_events r
                         where r.tenant_id = b.tenant_id and r.batch_id = b.batch_id))
