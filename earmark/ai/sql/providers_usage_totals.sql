-- Per provider, model and whose key paid (key_source: tenant, platform; null for the rows no key paid
-- for: the local analyzer, cache hits, skipped providers): provider calls made (answered or not),
-- answers, cache hits, tokens and cost. tokens_in is all input at any rate; the prompt-cache sums are
-- parts of it, not more of it. Calls without a price (cost_usd null) are counted apart so that a missing
-- price is seen, not summed as 0.
select provider,
       model,
       key_source,
       count(*) filter (where outcome in ('ok', 'retry', 'failed')) as calls,
       count(*) filter (where outcome = 'ok') as answered,
       count(*) filter (where outcome = 'cached') as cached,
       coalesce(sum(tokens_in), 0) as tokens_in,
       coalesce(sum(tokens_out), 0) as tokens_out,
       coalesce(sum(cache_read_tokens), 0) as cache_read_tokens,
       coalesce(sum(cache_write_tokens), 0) as cache_write_tokens,
       coalesce(sum(cost_usd), 0) as cost_usd,
       count(*) filter (where cost_usd is null) as unpriced_calls
from app.ai_calls
where tenant_id = %(tenant_id)s
group by provider, model, key_source
order by provider, model, key_source nulls first
