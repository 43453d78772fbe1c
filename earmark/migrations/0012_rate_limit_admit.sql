-- The limiter as the head of a one-message read (api/session.py): like app.rate_limit_take, but a refusal
-- is an error, so the server skips the rest of the message and a refused request reads no tenant data.
-- SQLSTATE EA429 is Earmark's own ("E" classes are free for applications); the detail carries the
-- seconds until the fuller bucket admits one more request, for Retry-After.
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
        raise exception 'rate limited' using errcode = 'EA429', detail = decision.retry_after::text;
    end if;
    return query select decision.allowed, decision.remaining, decision.retry_after;
end
$$;

revoke all on function app.rate_limit_admit(uuid, text, interval, integer, interval, integer) from public;
grant execute on function app.rate_limit_admit(uuid, text, interval, integer, interval, integer) to earmark_api;
