insert into ai.topic_episodes (tenant_id, topic_no, episode_id, weight)
values (%(tenant_id)s, %(topic_no)s, %(episode_id)s, %(weight)s)
