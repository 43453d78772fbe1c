-- A new secret being set up replaces any earlier one not yet confirmed (mfa_pending_drop first); a
-- confirmed factor stays until the new one is confirmed.
insert into app.mfa_totp (tenant_id, user_id, secret_sealed)
values (%(tenant_id)s, %(user_id)s, %(secret_sealed)s)
returning id
