select tenant_id, id, client_id, name, secret_hash, redirect_uris, scopes, grant_types
from app.oauth_clients
where tenant_id = %(tenant_id)s and revoked_at is null
order by created_at, id
