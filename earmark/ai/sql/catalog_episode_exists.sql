select 1 from catalog.episodes where tenant_id = %(tenant_id)s and episode_id = %(episode_id)s
