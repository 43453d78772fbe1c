-- Every table that holds tenant rows, with its text-like columns and the data type of each: what the
-- erasure scan reads. Partitions are read through their parent. The request table itself is left out: it
-- holds the subject's pseudonym on purpose, as the proof of what was done.
select n.nspname || '.' || c.relname as name,
       array_agg(a.attname::text order by a.attnum) as columns,
       array_agg(format_type(a.atttypid, a.atttypmod) order by a.attnum) as types,
       has_table_privilege('earmark_owner', c.oid, 'select') as owner_reads
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where c.relkind in ('r', 'p')
  and not c.relispartition
  and (n.nspname in ('app', 'raw', 'catalog', 'ai', 'downloads', 'cost', 'households') or n.nspname like 'analytics%%')
  and exists (select from pg_attribute t where t.attrelid = c.oid and t.attname = 'tenant_id'
              and not t.attisdropped)
  and (n.nspname, c.relname) <> ('app', 'privacy_requests')
  and format_type(a.atttypid, a.atttypmod) in ('text', 'character varying', 'jsonb', 'text[]', 'json')
group by n.nspname, c.relname, c.oid
order by 1
