-- Provider calls that used tokens and are not yet in the ledger (the local analyzer uses none: its work is
-- in the Dagster step that ran it).
select c.tenant_id, c.id, (c.called_at at time zone 'UTC')::date as usage_date, c.provider, c.model, c.task,
       c.outcome, c.key_source, c.analysis_id, c.tokens_in, c.tokens_out, c.cache_read_tokens,
       c.cache_write_tokens
from app.ai_calls as c
where c.provider <> 'local' and (c.tokens_in > 0 or c.tokens_out > 0)
  and not exists (
      select from cost.usage_events as u
      where u.tenant_id = c.tenant_id and u.source = 'ai_calls' and u.source_event_id = c.id::text)
order by c.called_at, c.id
