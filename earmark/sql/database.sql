-- Database-level setup, run by the admin inside the Earmark database. Idempotent.
do $$
begin
    execute format('grant create, connect, temporary on database %I to earmark_owner', current_database());
    -- dbt creates its own schemas (analytics, analytics_staging, ...).
    execute format('grant create, connect, temporary on database %I to earmark_transformer', current_database());
    execute format('grant connect on database %I to earmark_api', current_database());
end
$$;
revoke create on schema public from public;
create schema if not exists app authorization earmark_owner;
create schema if not exists raw authorization earmark_owner;
