-- The user's confirmed factor (or, with confirmed = false, the one being set up).
select id, user_id, secret_sealed, confirmed_at, last_timecode, locked_at
from app.mfa_totp
where tenant_id = %(tenant_id)s and user_id = %(user_id)s
  and (confirmed_at is not null) = %(confirmed)s
