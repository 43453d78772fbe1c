delete from app.mfa_totp where tenant_id = %(tenant_id)s and user_id = %(user_id)s and confirmed_at is null
