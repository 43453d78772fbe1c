-- Row by row (executemany, pipelined): COPY FROM is refused on a table with row-level security.
insert into ai.transcript_cues (tenant_id, episode_id, seq, start_s, end_s, speaker, text)
values (%s, %s, %s, %s, %s, %s, %s)
