-- Every column of every table in the schemas that hold tenant data (partitions through their parent).
select n.nspname || '.' || c.relname as table_name, a.attname::text as column_name
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
where c.relkind in ('r', 'p', 'v', 'm')
  and not c.relispartition
  and (n.nspname in ('app', 'raw', 'catalog', 'ai', 'downloads', 'cost', 'households') or n.nspname like 'analytics%%')
order by 1, 2
