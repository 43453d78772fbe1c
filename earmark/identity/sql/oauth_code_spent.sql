-- The grant of a code that was already exchanged (a reuse), if the code exists at all.
select grant_id from app.oauth_codes
where tenant_id = %(tenant_id)s and code_hash = %(code_hash)s and used_at is not null
