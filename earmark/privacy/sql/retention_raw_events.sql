-- Events that happened before the cutoff. The transformer's platform policy sees every tenant: the tenant
-- is named in every statement here, not left to the transaction's setting.
delete from raw.events
where tenant_id = %(tenant_id)s and occurred_at < %(cutoff_at)s
