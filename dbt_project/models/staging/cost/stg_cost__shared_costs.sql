select book_id, name, monthly_amount, rule, metric, capacity_per_day, weights
from {{ source('cost', 'shared_costs') }}
