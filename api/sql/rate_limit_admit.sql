-- The limiter at the head of a one-message read (migration 0012): a refusal raises EA429, so the rest of
-- the message, the read included, never runs.
select allowed, remaining, retry_after
from app.rate_limit_admit(
    %(tenant_id)s, %(key_bucket)s, %(key_interval)s, %(key_burst)s, %(tenant_interval)s, %(tenant_burst)s
)
