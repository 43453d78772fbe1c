-- Take one of the pending sign-in's five attempts before any code is checked: parallel guesses each
-- take one, and none is left after the fifth.
update app.user_sessions set mfa_failures = mfa_failures + 1
where tenant_id = %(tenant_id)s and id = %(session_id)s and ended_at is null and stage in ('mfa', 'enrol')
  and mfa_failures < %(limit)s
returning mfa_failures
