-- A wrong code; returns how many the user typed in the last 24 hours.
with added as (
    insert into app.mfa_failures (tenant_id, user_id) values (%(tenant_id)s, %(user_id)s)
)
select count(*) + 1 as failures from app.mfa_failures
where tenant_id = %(tenant_id)s and user_id = %(user_id)s and failed_at > now() - interval '24 hours'
