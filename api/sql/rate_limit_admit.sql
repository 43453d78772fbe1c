-- The limiter at the head of a one-message read (migration 0012): on refusal it clears the transaction's
-- tenant, so the read that follows sees no tenant rows; api.session then answers 429.
select allowed, remaining, retry_after
from app.rate_limit_admit(
    %(tenant_id)s, %(key_bucket)s, %(key_interval)s, %(key_burst)s, %(tenant_interval)s, %(tenant_burst)s
)
