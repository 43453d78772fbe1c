insert into ai.topics (tenant_id, topic_no, label, terms) values (%(tenant_id)s, %(topic_no)s, %(label)s, %(terms)s)
