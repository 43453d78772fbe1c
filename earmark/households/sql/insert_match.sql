insert into households.matches (tenant_id, download_id, ad_id, user_id, exposed_at, household_key, campaign_id,
                                show_id, episode_id, placement_id, first_visit_event_id, first_visit_at)
values (%(tenant_id)s, %(download_id)s, %(ad_id)s, %(user_id)s, %(exposed_at)s, %(household_key)s, %(campaign_id)s,
        %(show_id)s, %(episode_id)s, %(placement_id)s, %(first_visit_event_id)s, %(first_visit_at)s)
