insert into households.survey_links (tenant_id, event_id, matched_kind, matched_id, campaign_id, show_id, confidence)
values (%(tenant_id)s, %(event_id)s, %(matched_kind)s, %(matched_id)s, %(campaign_id)s, %(show_id)s, %(confidence)s)
