-- Emails compare case-insensitively within a tenant (the unique index users_email_per_tenant).
select 1 from app.users where tenant_id = %(tenant_id)s and lower(email) = lower(%(email)s)
