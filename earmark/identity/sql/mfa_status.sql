select t.confirmed_at, t.locked_at,
       (select count(*) from app.mfa_recovery_codes r
        where r.tenant_id = t.tenant_id and r.user_id = t.user_id and r.used_at is null) as recovery_codes_left
from app.mfa_totp t
where t.tenant_id = %(tenant_id)s and t.user_id = %(user_id)s and t.confirmed_at is not null
