-- A replaced transcript's ad reads: they point at the episode, not at its cues, so no cascade takes them,
-- and they would be served (and exported) for a transcript that is gone until the analysis runs again.
delete from ai.ad_reads where tenant_id = %(tenant_id)s and episode_id = %(episode_id)s
