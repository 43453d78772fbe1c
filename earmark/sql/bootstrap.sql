-- Cluster-level setup, run by the server's admin before the numbered migrations. Idempotent.
-- The owner runs migrations; the transformer runs ingestion and dbt; the API role owns nothing
-- and can never bypass row-level security.
do $$
begin
    if not exists (select from pg_roles where rolname = 'earmark_owner') then
        create role earmark_owner login nosuperuser nobypassrls;
    end if;
    if not exists (select from pg_roles where rolname = 'earmark_transformer') then
        create role earmark_transformer login nosuperuser nobypassrls;
    end if;
    if not exists (select from pg_roles where rolname = 'earmark_api') then
        create role earmark_api login nosuperuser nobypassrls nocreatedb nocreaterole;
    end if;
end
$$;

-- The owner grants table rights to the other two.
grant earmark_transformer to earmark_owner;

-- Analytical SQL wants memory; the API answers small queries and must not hang on a lock.
alter role earmark_transformer set work_mem = '256MB';
alter role earmark_api set statement_timeout = '30s';
