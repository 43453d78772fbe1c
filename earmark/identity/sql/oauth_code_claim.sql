-- Single use: the first exchange that names the code's client, redirect URI and PKCE challenge (the
-- S256 of its verifier) sets used_at and gets the row; any later or concurrent one gets none (it waits
-- for the winner's commit, then finds used_at set). A request that fails these checks spends nothing.
update app.oauth_codes c set used_at = now()
from app.oauth_grants g
where c.tenant_id = %(tenant_id)s and c.code_hash = %(code_hash)s and c.used_at is null
  and c.code_challenge = %(challenge)s and c.redirect_uri is not distinct from %(redirect_uri)s
  and g.tenant_id = c.tenant_id and g.id = c.grant_id and g.client = %(client)s
returning c.grant_id, c.redirect_uri, c.code_challenge, c.expires_at > now() as live, g.client, g.user_id,
          g.scopes, g.revoked_at is null as grant_live
