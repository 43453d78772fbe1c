-- Finished days of API requests not yet in the ledger.
select d.tenant_id, d.usage_date, d.api_requests
from app.tenant_usage_daily as d
where d.usage_date < %(before)s and d.api_requests > 0
  and not exists (
      select from cost.usage_events as u
      where u.tenant_id = d.tenant_id and u.source = 'api_requests'
        and u.source_event_id = d.usage_date::text and u.resource = 'api_requests')
order by 1, 2
