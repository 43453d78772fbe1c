-- An access token ends at %(expires_at)s; a refresh token (expires_at null) when its grant does.
insert into app.oauth_tokens (tenant_id, token_hash, grant_id, kind, scopes, audience, expires_at)
select %(tenant_id)s, %(token_hash)s, g.id, %(kind)s, %(scopes)s, %(audience)s,
       coalesce(%(expires_at)s::timestamptz, g.expires_at)
from app.oauth_grants g
where g.tenant_id = %(tenant_id)s and g.id = %(grant_id)s
