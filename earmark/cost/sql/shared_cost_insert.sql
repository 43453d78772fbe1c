insert into cost.shared_costs (book_id, name, monthly_amount, rule, metric, capacity_per_day)
values (%(book_id)s, %(name)s, %(monthly)s, %(rule)s, %(metric)s, %(capacity)s)
