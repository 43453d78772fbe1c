-- A wrong code at /login/mfa; returns the pending session's count.
update app.user_sessions set mfa_failures = mfa_failures + 1
where tenant_id = %(tenant_id)s and id = %(session_id)s and ended_at is null
returning mfa_failures
