-- A new set of recovery codes: the old set stops working.
delete from app.mfa_recovery_codes where tenant_id = %(tenant_id)s and user_id = %(user_id)s
