-- The tenant's ad reads (row-level security scopes both tables) with their transcript's file, in keyset
-- order on (episode_id, seq): stable under inserts, no OFFSET scans. A null filter does not filter; a
-- null limit takes every row (the episode route reads one episode's reads this way).
select
    transcripts.source_file,
    reads.episode_id,
    reads.seq,
    reads.start_s::float8 as start_s,
    reads.end_s::float8 as end_s,
    reads.kind,
    reads.brand,
    reads.advertiser_id,
    reads.promo_codes,
    reads.vanity_urls,
    reads.position,
    reads.confidence::float8 as confidence,
    reads.evidence,
    reads.campaign_id,
    reads.code_said,
    reads.url_said,
    reads.url_repeats,
    reads.cta,
    reads.analyzer
from ai.ad_reads as reads
inner join ai.transcripts as transcripts
    on transcripts.tenant_id = reads.tenant_id and transcripts.episode_id = reads.episode_id
where (%(episode_id)s::text is null or reads.episode_id = %(episode_id)s::text)
  and (%(kind)s::text is null or reads.kind = %(kind)s::text)
  and (%(advertiser_id)s::text is null or reads.advertiser_id = %(advertiser_id)s::text)
  and (%(position)s::text is null or reads.position = %(position)s::text)
  and (%(min_confidence)s::numeric is null or reads.confidence >= %(min_confidence)s::numeric)
  and (
      %(after_episode_id)s::text is null
      or (reads.episode_id, reads.seq) > (%(after_episode_id)s::text, %(after_seq)s::integer)
  )
order by reads.episode_id, reads.seq
limit %(limit)s
