-- GCRA for the key's and the tenant's bucket in one statement (migration 0011); run in autocommit, so
-- the statement is its own transaction and the first thing it does is set the key's tenant.
select allowed, remaining, retry_after
from app.rate_limit_take(
    %(tenant_id)s, %(key_bucket)s, %(key_interval)s, %(key_burst)s, %(tenant_interval)s, %(tenant_burst)s
)
