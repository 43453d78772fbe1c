select content_hash from ai.transcripts where tenant_id = %(tenant_id)s and episode_id = %(episode_id)s
