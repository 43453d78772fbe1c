-- Single use: one row for the request that spends the code; how many are left comes with it.
with spent as (
    update app.mfa_recovery_codes set used_at = now()
    where tenant_id = %(tenant_id)s and user_id = %(user_id)s and code_hash = %(code_hash)s
      and used_at is null
    returning code_hash
)
select (select count(*) from spent) as spent,
       (select count(*) from app.mfa_recovery_codes
        where tenant_id = %(tenant_id)s and user_id = %(user_id)s and used_at is null) - 1 as left_after
