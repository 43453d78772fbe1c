delete from households.survey_links where tenant_id = %(tenant_id)s
