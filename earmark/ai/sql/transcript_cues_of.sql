select seq, start_s::float8, end_s::float8, speaker, text
from ai.transcript_cues
where tenant_id = %(tenant_id)s and episode_id = %(episode_id)s
order by seq
