select name, monthly_amount, rule, metric, capacity_per_day
from cost.shared_costs where book_id = %(book_id)s order by name
