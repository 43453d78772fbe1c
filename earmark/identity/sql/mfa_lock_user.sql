-- The user's confirmed factor, locked: concurrent checks of one user's codes wait here, then count every
-- failure committed before them (each statement under READ COMMITTED sees what committed before it began).
select id, user_id, secret_sealed, confirmed_at, last_timecode, locked_at from app.mfa_totp
where tenant_id = %(tenant_id)s and user_id = %(user_id)s and confirmed_at is not null
for update
