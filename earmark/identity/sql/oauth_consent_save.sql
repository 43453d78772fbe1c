-- Remember what the user allowed; a later, wider request asks again for the whole set.
insert into app.oauth_consents as c (tenant_id, user_id, client, scopes)
values (%(tenant_id)s, %(user_id)s, %(client)s, %(scopes)s)
on conflict (tenant_id, user_id, client) do update
set scopes = (select array_agg(distinct s order by s) from unnest(c.scopes || excluded.scopes) s),
    granted_at = now()
