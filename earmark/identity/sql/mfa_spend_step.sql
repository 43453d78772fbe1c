-- Accept a step only if it is later than every step accepted before: one row for the one request
-- that wins, none for a replay (of this code or of any earlier one).
update app.mfa_totp set last_timecode = %(step)s
where tenant_id = %(tenant_id)s and id = %(id)s
  and (last_timecode is null or last_timecode < %(step)s)
returning id
