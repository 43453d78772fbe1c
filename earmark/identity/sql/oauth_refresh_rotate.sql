-- Spend a refresh token: one request wins; a rotated, revoked or expired one gives no row (and the
-- caller then checks for reuse with oauth_token_find).
update app.oauth_tokens t set rotated_at = now()
from app.oauth_grants g, app.oauth_clients c
where t.tenant_id = %(tenant_id)s and t.token_hash = %(token_hash)s and t.kind = 'refresh'
  and t.rotated_at is null and t.revoked_at is null and t.expires_at > now()
  and g.tenant_id = t.tenant_id and g.id = t.grant_id and g.revoked_at is null
  and c.tenant_id = g.tenant_id and c.id = g.client
returning t.tenant_id, t.id, t.grant_id, t.kind, g.client, c.client_id, g.user_id, t.scopes, t.audience,
          t.created_at, t.expires_at, t.rotated_at, t.revoked_at, g.revoked_at as grant_revoked_at
