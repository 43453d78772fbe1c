insert into ai.ad_reads (tenant_id, episode_id, seq, start_s, end_s, first_cue, last_cue, kind, brand,
                         advertiser_id, promo_codes, vanity_urls, position, confidence, evidence, campaign_id,
                         code_said, url_said, url_repeats, cta, analyzer)
values (%(tenant_id)s, %(episode_id)s, %(seq)s, %(start_s)s, %(end_s)s, %(first_cue)s, %(last_cue)s,
        %(kind)s, %(brand)s, %(advertiser_id)s, %(promo_codes)s, %(vanity_urls)s, %(position)s,
        %(confidence)s, %(evidence)s, %(campaign_id)s, %(code_said)s, %(url_said)s, %(url_repeats)s,
        %(cta)s, %(analyzer)s)
