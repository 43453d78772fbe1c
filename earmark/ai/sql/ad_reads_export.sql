select t.source_file, r.episode_id, r.start_s::float8, r.end_s::float8, r.kind, r.brand, r.promo_codes,
       r.vanity_urls, r.position, r.confidence::float8, r.advertiser_id, r.campaign_id, r.code_said, r.url_said,
       r.url_repeats, r.cta, r.analyzer
from ai.ad_reads r
join ai.transcripts t on t.tenant_id = r.tenant_id and t.episode_id = r.episode_id
where r.tenant_id = %(tenant_id)s
order by r.episode_id, r.start_s, r.seq
