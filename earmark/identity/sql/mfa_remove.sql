-- MFA off: the factor, any pending one and the recovery codes go.
with codes as (
    delete from app.mfa_recovery_codes where tenant_id = %(tenant_id)s and user_id = %(user_id)s
)
delete from app.mfa_totp where tenant_id = %(tenant_id)s and user_id = %(user_id)s
returning id
