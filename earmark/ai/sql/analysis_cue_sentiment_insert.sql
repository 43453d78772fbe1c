insert into ai.cue_sentiments (tenant_id, episode_id, seq, compound, label) values (%s, %s, %s, %s, %s)
