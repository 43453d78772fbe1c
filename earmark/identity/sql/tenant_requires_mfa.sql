select require_mfa from app.tenant_settings where tenant_id = %(tenant_id)s
