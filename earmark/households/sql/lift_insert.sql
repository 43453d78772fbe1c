insert into households.lift_results (tenant_id, as_of, campaign_id, metric, result)
values (%(tenant_id)s, %(as_of)s, %(campaign_id)s, %(metric)s, %(result)s)
