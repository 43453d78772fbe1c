-- A new version of an episode's transcript replaces the old one (its cues cascade; the analysis is redone
-- because its content_hash no longer matches).
insert into ai.transcripts as t (tenant_id, episode_id, source_file, format, content_hash, cue_count,
                                 duration_s, words)
values (%(tenant_id)s, %(episode_id)s, %(source_file)s, %(format)s, %(content_hash)s, %(cue_count)s,
        %(duration_s)s, %(words)s)
on conflict (tenant_id, episode_id) do update
    set source_file = excluded.source_file, format = excluded.format, content_hash = excluded.content_hash,
        cue_count = excluded.cue_count, duration_s = excluded.duration_s, words = excluded.words,
        loaded_at = now()
