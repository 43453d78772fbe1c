-- What the dedupe order needs of every user's journey: conversions (with a promo code the catalog knows),
-- raw signal touches (vanity-URL visits, promo-code touches, survey answers) and their campaign.
select e.event_id, e.user_id, e.occurred_at, e.event_type, e.channel, e.campaign_id, e.show_id,
       e.promo_code, e.vanity_url, e.survey_answer, code.campaign_id as code_campaign_id,
       code.show_id as code_show_id, url.campaign_id as url_campaign_id
from raw.events e
left join catalog.promo_codes code on code.tenant_id = e.tenant_id and code.code = e.promo_code
left join catalog.vanity_urls url on url.tenant_id = e.tenant_id and url.url = e.vanity_url
where e.tenant_id = %(tenant_id)s
  and (e.event_type = 'conversion' or e.promo_code is not null or e.vanity_url is not null
       or e.survey_answer is not null)
