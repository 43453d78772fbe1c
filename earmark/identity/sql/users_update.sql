-- A role or status change; disabling stamps the time (re-enabling clears it).
update app.users
set role = coalesce(%(role)s, role),
    status = coalesce(%(status)s, status),
    disabled_at = case
        when %(status)s = 'disabled' and status <> 'disabled' then now()
        when %(status)s = 'active' then null
        else disabled_at
    end
where tenant_id = %(tenant_id)s and id = %(id)s
returning tenant_id, id, email, role, status, created_at, last_login_at
