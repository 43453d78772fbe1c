-- Days whose counts may be out of date: touched by a load since they were counted (or never counted), or
-- counted under other lists, another spike threshold or an older catalog.
with touched as (
    select b.tenant_id, day::date as day, b.finished_at
    from downloads.batches as b
    cross join lateral generate_series(b.first_day, b.last_day, interval '1 day') as day
    where b.status = 'succeeded' and b.loaded > 0
)
select min(touched.day), max(touched.day)
from touched
left join downloads.counted_days as c on c.tenant_id = touched.tenant_id and c.day = touched.day
left join catalog.revisions as r on r.tenant_id = touched.tenant_id
where c.day is null or c.counted_at < touched.finished_at or c.list_version <> %(version)s
   or c.spike_threshold <> %(threshold)s or c.catalog_revision <> coalesce(r.revision, 0)
