-- One table's bytes per tenant as pg_column_size of its rows (of a TABLESAMPLE of them for a large table),
-- for the tenants that still exist. The table and the sample clause are composed with psycopg.sql (an
-- identifier and a clause with a literal percentage), never pasted in as text.
select t.tenant_id, sum(pg_column_size(t.*))::bigint
from {table} as t {sample}
where exists (select from app.tenants where id = t.tenant_id)
group by 1
