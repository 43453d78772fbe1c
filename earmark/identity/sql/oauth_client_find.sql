select tenant_id, id, client_id, name, secret_hash, redirect_uris, scopes, grant_types
from app.find_oauth_client(%(client_id)s)
