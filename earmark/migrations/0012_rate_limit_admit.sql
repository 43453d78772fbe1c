-- The limiter as the head of a one-message read (api/session.py): app.rate_limit_take, and on refusal the
-- transaction's tenant is cleared, so every row-level-security policy hides every row and the read that
-- follows in the same message sees no tenant data. A refusal is a row, not an error: a flood of refused
-- requests writes nothing to the server's log and costs no second round trip.
create function app.rate_limit_admit(
    p_tenant_id uuid, p_key_bucket text, p_key_interval interval, p_key_burst integer,
    p_tenant_interval interval, p_tenant_burst integer
)
returns table (allowed boolean, remaining integer, retry_after double precision)
language plpgsql volatile set search_path = pg_catalog, app
as $$
declare
    decision record;
begin
    select * into decision from app.rate_limit_take(
        p_tenant_id, p_key_bucket, p_key_interval, p_key_burst, p_tenant_interval, p_tenant_burst);
    if not decision.allowed then
        perform set_config('app.tenant_id', '', true);
    end if;
    return query select decision.allowed, decision.remaining, decision.retry_after;
end
$$;

revoke all on function app.rate_limit_admit(uuid, text, interval, integer, interval, integer) from public;
grant execute on function app.rate_limit_admit(uuid, text, interval, integer, interval, integer) to earmark_api;
