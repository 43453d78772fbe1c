-- Tables LIST-partitioned on tenant_id: per table, each tenant's partition size (its leaves' tables, indexes
-- and TOAST), as {tenant_id: bytes}. A partition whose tenant is gone (deleted since) is left to the
-- unattributed line.
with parents as (
    select c.oid, n.nspname || '.' || c.relname as name
    from pg_partitioned_table p
    join pg_class c on c.oid = p.partrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum = p.partattrs[0]
    where p.partstrat = 'l' and p.partnatts = 1 and a.attname = 'tenant_id'
      and not c.relispartition
),
children as (
    select parents.name, i.inhrelid as child,
           substring(pg_get_expr(k.relpartbound, k.oid) from '''([0-9a-f-]{36})''')::uuid as tenant_id
    from parents
    join pg_inherits i on i.inhparent = parents.oid
    join pg_class k on k.oid = i.inhrelid
)
select children.name, jsonb_object_agg(children.tenant_id, (
           select coalesce(sum(pg_total_relation_size(t.relid)), 0)
           from pg_partition_tree(children.child) as t where t.isleaf))
from children
join app.tenants as tenants on tenants.id = children.tenant_id
group by children.name
order by children.name
