select provider, model, answer from app.ai_cache
where tenant_id = %(tenant_id)s and cache_key = %(cache_key)s
