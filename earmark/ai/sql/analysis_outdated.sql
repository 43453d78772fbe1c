-- Transcripts whose analysis is missing or was made from another version of the transcript.
select t.episode_id, t.source_file, t.format, t.content_hash, s.title, coalesce(s.hosts, '{}'), e.published_at,
       e.show_id
from ai.transcripts t
left join ai.episode_analyses a on a.tenant_id = t.tenant_id and a.episode_id = t.episode_id
left join catalog.episodes e on e.tenant_id = t.tenant_id and e.episode_id = t.episode_id
left join catalog.shows s on s.tenant_id = e.tenant_id and s.show_id = e.show_id
where t.tenant_id = %(tenant_id)s
  and (%(full)s or a.content_hash is distinct from t.content_hash)
order by t.episode_id
