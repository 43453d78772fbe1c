delete from ai.ad_reads where tenant_id = %(tenant_id)s and episode_id = %(episode_id)s
