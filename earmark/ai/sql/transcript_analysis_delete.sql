-- A replaced transcript's episode analysis (sentiment, keywords, people, brands): it describes the old
-- version. Without it the episode is outdated (analysis_outdated) and the next analysis reads the new one.
delete from ai.episode_analyses where tenant_id = %(tenant_id)s and episode_id = %(episode_id)s
