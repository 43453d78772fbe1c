delete from ai.transcript_cues where tenant_id = %(tenant_id)s and episode_id = %(episode_id)s
