select scopes from app.oauth_consents
where tenant_id = %(tenant_id)s and user_id = %(user_id)s and client = %(client)s
