-- The tenant's own provider order; null: the platform's (EARMARK_AI_PROVIDERS).
select ai_providers from app.tenant_settings where tenant_id = %(tenant_id)s
