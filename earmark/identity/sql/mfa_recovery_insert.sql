insert into app.mfa_recovery_codes (tenant_id, user_id, code_hash)
select %(tenant_id)s, %(user_id)s, unnest(%(code_hashes)s::text[])
