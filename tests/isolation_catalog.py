"""Catalog queries for the isolation rules, shared by the core test and the post-dbt test."""

TENANT_SCHEMAS = ("nspname in ('app', 'raw', 'catalog', 'ai', 'downloads', 'cost', 'households') "
                  "or nspname like 'analytics%%'")

TABLES_WITHOUT_RLS = f"""
select n.nspname || '.' || c.relname as name,
       c.relrowsecurity as enabled,
       c.relforcerowsecurity as forced,
       (select count(*) from pg_policy p where p.polrelid = c.oid) as policies
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p')
  and ({TENANT_SCHEMAS})
  and (exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id'
               and not a.attisdropped)
       or (n.nspname, c.relname) = ('app', 'tenants'))
  and not (c.relrowsecurity and c.relforcerowsecurity
           and exists (select from pg_policy p where p.polrelid = c.oid))
order by 1
"""

# Keys (primary, unique, foreign) on tenant tables whose first column is not tenant_id.
KEYS_NOT_LEADING_WITH_TENANT = f"""
select n.nspname || '.' || c.relname || ' ' || con.conname
from pg_constraint con
join pg_class c on c.oid = con.conrelid
join pg_namespace n on n.oid = c.relnamespace
where con.contype in ('p', 'u', 'f')
  and ({TENANT_SCHEMAS})
  and exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id'
              and not a.attisdropped)
  and (select a.attname from pg_attribute a
       where a.attrelid = c.oid and a.attnum = con.conkey[1]) <> 'tenant_id'
order by 1
"""

TABLES_WITHOUT_TENANT_INDEX = f"""
select n.nspname || '.' || c.relname
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p')
  and ({TENANT_SCHEMAS})
  and exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id'
              and not a.attisdropped)
  and not exists (
      select from pg_index i
      join pg_attribute a on a.attrelid = c.oid and a.attnum = i.indkey[0]
      where i.indrelid = c.oid and a.attname = 'tenant_id')
order by 1
"""

VIEWS_WITHOUT_SECURITY_INVOKER = f"""
select n.nspname || '.' || c.relname
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('v', 'm')
  and ({TENANT_SCHEMAS})
  and exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id'
              and not a.attisdropped)
  and (c.relkind = 'm' or not coalesce(c.reloptions @> array['security_invoker=true'], false))
order by 1
"""

ISOLATION_QUERIES = {
    "tables without RLS enabled, forced and a policy": TABLES_WITHOUT_RLS,
    "keys not leading with tenant_id": KEYS_NOT_LEADING_WITH_TENANT,
    "tables without an index leading with tenant_id": TABLES_WITHOUT_TENANT_INDEX,
    "views without security_invoker": VIEWS_WITHOUT_SECURITY_INVOKER,
}


def isolation_violations(conn) -> dict[str, list]:
    return {label: [row[0] for row in conn.execute(query)] for label, query in ISOLATION_QUERIES.items()}
