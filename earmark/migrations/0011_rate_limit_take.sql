-- GCRA for one request against its key's and its tenant's bucket, as ONE statement: the API calls it
-- in autocommit, so the statement is the whole transaction. That costs one round trip per request,
-- and the buckets' row locks are held for the server's few microseconds of work, never across a
-- client round trip (holding them across the read made same-key requests queue; see bench/RESULTS.md).
--
-- SECURITY INVOKER: it runs as the API role under row-level security. Its first act is to set the
-- transaction's tenant, as every tenant transaction of the API starts; the tenant comes from the
-- caller's verified key, never from the request.
--
-- All or nothing: a request is admitted only when both buckets admit it, and a refused request leaves
-- both untouched. Exact under concurrency: both rows are locked (FOR UPDATE, always the key's row before
-- the tenant's, so no deadlock) before either is read for the decision.
create function app.rate_limit_take(
    p_tenant_id uuid, p_key_bucket text, p_key_interval interval, p_key_burst integer,
    p_tenant_interval interval, p_tenant_burst integer
)
returns table (allowed boolean, remaining integer, retry_after double precision)
language plpgsql volatile set search_path = pg_catalog, app
as $$
declare
    key_tat timestamptz;
    tenant_tat timestamptz;
    key_next timestamptz;
    tenant_next timestamptz;
    at timestamptz := now();
begin
    perform set_config('app.tenant_id', p_tenant_id::text, true);
    -- Buckets are created empty (tat = now) on first use; existing rows are left to the lock below.
    if (select count(*) from app.rate_limits
        where tenant_id = p_tenant_id and bucket in (p_key_bucket, 'tenant')) < 2 then
        insert into app.rate_limits (tenant_id, bucket, tat, emission_interval, burst)
        values (p_tenant_id, p_key_bucket, at, p_key_interval, p_key_burst),
               (p_tenant_id, 'tenant', at, p_tenant_interval, p_tenant_burst)
        on conflict (tenant_id, bucket) do nothing;
    end if;
    -- 'key:...' sorts before 'tenant': every caller locks in the same order.
    select max(tat) filter (where bucket = p_key_bucket), max(tat) filter (where bucket = 'tenant')
    into key_tat, tenant_tat
    from (
        select bucket, tat from app.rate_limits
        where tenant_id = p_tenant_id and bucket in (p_key_bucket, 'tenant')
        order by bucket
        for update
    ) as locked;
    key_next := greatest(key_tat, at) + p_key_interval;
    tenant_next := greatest(tenant_tat, at) + p_tenant_interval;
    if key_next <= at + p_key_interval * p_key_burst and tenant_next <= at + p_tenant_interval * p_tenant_burst
    then
        update app.rate_limits as r
        set tat = v.tat, emission_interval = v.emission_interval, burst = v.burst
        from (values (p_key_bucket, key_next, p_key_interval, p_key_burst),
                     ('tenant', tenant_next, p_tenant_interval, p_tenant_burst))
            as v (bucket, tat, emission_interval, burst)
        where r.tenant_id = p_tenant_id and r.bucket = v.bucket;
        -- Requests the key may still make at once: the room between its tat and now + burst intervals.
        return query select true,
            floor(extract(epoch from at + p_key_interval * p_key_burst - key_next)
                  / extract(epoch from p_key_interval))::integer,
            0::double precision;
    else
        -- Seconds until the fuller bucket admits one more: tat - (burst - 1) intervals - now.
        return query select false, 0, greatest(
            extract(epoch from key_tat - p_key_interval * (p_key_burst - 1) - at),
            extract(epoch from tenant_tat - p_tenant_interval * (p_tenant_burst - 1) - at),
            0)::double precision;
    end if;
end
$$;

revoke all on function app.rate_limit_take(uuid, text, interval, integer, interval, integer) from public;
grant execute on function app.rate_limit_take(uuid, text, interval, integer, interval, integer) to earmark_api;
