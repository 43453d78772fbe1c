delete from ai.cue_sentiments where tenant_id = %(tenant_id)s and episode_id = %(episode_id)s
