update app.mfa_totp set locked_at = now()
where tenant_id = %(tenant_id)s and user_id = %(user_id)s and confirmed_at is not null and locked_at is null
