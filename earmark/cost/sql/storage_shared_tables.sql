-- Every other table with tenant data (a tenant_id column, not a partition, not partitioned by tenant): its
-- size (a plain table's own, a partitioned table's leaves') and its estimated row count. The cost schema is
-- the platform's own bookkeeping and goes with the unattributed rest.
select n.nspname, c.relname,
       case when c.relkind = 'r' then pg_total_relation_size(c.oid)
            else coalesce((select sum(pg_total_relation_size(t.relid)) from pg_partition_tree(c.oid) as t
                           where t.isleaf), 0) end::bigint,
       case when c.relkind = 'r' then greatest(c.reltuples, 0)
            else coalesce((select sum(greatest(k.reltuples, 0)) from pg_partition_tree(c.oid) as t
                           join pg_class k on k.oid = t.relid where t.isleaf), 0) end::bigint
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and not c.relispartition
  and n.nspname not in ('pg_catalog', 'information_schema', 'cost')
  and exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
  and not exists (
      select from pg_partitioned_table p
      join pg_attribute a on a.attrelid = p.partrelid and a.attnum = p.partattrs[0]
      where p.partrelid = c.oid and p.partstrat = 'l' and a.attname = 'tenant_id')
order by 1, 2
