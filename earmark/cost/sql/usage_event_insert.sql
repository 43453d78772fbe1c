insert into cost.usage_events (tenant_id, source, source_event_id, resource, usage_date, quantity, unit,
                               resource_id, service_provider, billed_cost, is_estimate, tags)
values (%(tenant_id)s, %(source)s, %(source_event_id)s, %(resource)s, %(usage_date)s, %(quantity)s, %(unit)s,
        %(resource_id)s, %(service_provider)s, %(billed_cost)s, %(is_estimate)s, %(tags)s)
on conflict do nothing
