select count(*)
from downloads.batches as b
where b.status = 'succeeded'
  and (b.rows <> b.loaded + b.duplicates + b.rejected
       or b.rejected <> (select count(*) from downloads.rejected_requests as r
                         where r.tenant_id = b.tenant_id and r.batch_id = b.batch_id))
