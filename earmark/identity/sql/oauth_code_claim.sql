-- Single use: the first exchange sets used_at and gets the row; any later or concurrent one gets none
-- (it waits for the winner's commit, then finds used_at set).
update app.oauth_codes c set used_at = now()
from app.oauth_grants g
where c.tenant_id = %(tenant_id)s and c.code_hash = %(code_hash)s and c.used_at is null
  and g.tenant_id = c.tenant_id and g.id = c.grant_id
returning c.grant_id, c.redirect_uri, c.code_challenge, c.expires_at > now() as live, g.client, g.user_id,
          g.scopes, g.revoked_at is null as grant_live
