-- Every transcript of the tenant as one text, for keywords and topics fitted over its whole corpus.
select episode_id, string_agg(text, ' ' order by seq)
from ai.transcript_cues
where tenant_id = %(tenant_id)s
group by episode_id
order by episode_id
