-- GCRA for one request against its key's and its tenant's bucket, as ONE statement. The API sends it
-- either alone in autocommit (the statement is the whole transaction) or at the head of a read that
-- travels in the same message (api/session.py). Either way it costs no extra round trip, and the
-- buckets' row locks are held for the server's work only, never across a client round trip (holding
-- them across the read made same-key requests queue; see bench/RESULTS.md).
--
-- SECURITY INVOKER: it runs as the API role under row-level security. Its first act is to set the
-- transaction's tenant, as every tenant transaction of the API starts; the tenant comes from the
-- caller's verified key, never from the request.
--
-- All or nothing, exact under concurrency: the upsert takes both rows' locks (ON CONFLICT waits for any
-- other transaction on them and re-checks the latest version), admits each bucket whose theoretical
-- arrival time, pushed by one emission interval, stays within burst intervals of now, and leaves a
-- refusing bucket's row untouched. When only one bucket admitted, it gives back what it took while
-- still holding the lock, so a refused request costs neither bucket anything. The common case is one
-- statement, its plan cached by PL/pgSQL.
create function app.rate_limit_take(
    p_tenant_id uuid, p_key_bucket text, p_key_interval interval, p_key_burst integer,
    p_tenant_interval interval, p_tenant_burst integer
)
returns table (allowed boolean, remaining integer, retry_after double precision)
language plpgsql volatile set search_path = pg_catalog, app
as $$
declare
    admitted text[];
    key_tat timestamptz;
    t_now timestamptz := now();
begin
    perform set_config('app.tenant_id', p_tenant_id::text, true);
    with taken as (
        insert into app.rate_limits as r (tenant_id, bucket, tat, emission_interval, burst)
        values (p_tenant_id, p_key_bucket, t_now + p_key_interval, p_key_interval, p_key_burst),
               (p_tenant_id, 'tenant', t_now + p_tenant_interval, p_tenant_interval, p_tenant_burst)
        on conflict (tenant_id, bucket) do update
        set tat = greatest(r.tat, t_now) + excluded.emission_interval,
            emission_interval = excluded.emission_interval,
            burst = excluded.burst
        where greatest(r.tat, t_now) + excluded.emission_interval
            <= t_now + excluded.emission_interval * excluded.burst
        returning r.bucket, r.tat
    )
    select array_agg(bucket), max(tat) filter (where bucket = p_key_bucket)
    into admitted, key_tat
    from taken;
    if cardinality(admitted) = 2 then
        -- Requests the key may still make at once: the room between its tat and now + burst intervals.
        return query select true,
            floor(extract(epoch from t_now + p_key_interval * p_key_burst - key_tat)
                  / extract(epoch from p_key_interval))::integer,
            0::double precision;
        return;
    end if;
    if admitted is not null then
        update app.rate_limits set tat = tat - emission_interval
        where tenant_id = p_tenant_id and bucket = any (admitted);
    end if;
    -- Seconds until the fuller bucket admits one more: tat - (burst - 1) intervals - now.
    return query
        select false, 0,
            greatest(max(extract(epoch from tat - emission_interval * (burst - 1) - t_now)), 0)::float8
        from app.rate_limits
        where tenant_id = p_tenant_id and bucket in (p_key_bucket, 'tenant');
end
$$;

revoke all on function app.rate_limit_take(uuid, text, interval, integer, interval, integer) from public;
grant execute on function app.rate_limit_take(uuid, text, interval, integer, interval, integer) to earmark_api;
