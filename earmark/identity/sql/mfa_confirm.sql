-- The pending factor becomes the factor; its first code's step is already spent.
update app.mfa_totp set confirmed_at = now(), last_timecode = %(step)s
where tenant_id = %(tenant_id)s and id = %(id)s and confirmed_at is null
returning id
