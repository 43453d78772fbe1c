-- One episode's transcript and its analysis (none yet: the analysis columns are null and the lists
-- empty). The analysis is current when it was made from the transcript as loaded now (same content_hash).
select
    transcripts.episode_id,
    transcripts.source_file,
    transcripts.format,
    transcripts.duration_s::float8 as duration_s,
    transcripts.cue_count,
    transcripts.words,
    transcripts.loaded_at,
    analyses.episode_id is not null as analysed,
    analyses.sentiment::float8 as sentiment_score,
    analyses.sentiment_label,
    analyses.sentiment_method,
    analyses.positive_share::float8 as positive_share,
    analyses.neutral_share::float8 as neutral_share,
    analyses.negative_share::float8 as negative_share,
    coalesce(analyses.keywords, '[]'::jsonb) as keywords,
    coalesce(analyses.brands, '[]'::jsonb) as brands,
    coalesce(analyses.people, '[]'::jsonb) as people,
    coalesce(analyses.content_hash = transcripts.content_hash, false) as analysis_current
from ai.transcripts as transcripts
left join ai.episode_analyses as analyses
    on analyses.tenant_id = transcripts.tenant_id and analyses.episode_id = transcripts.episode_id
where transcripts.episode_id = %(episode_id)s::text
