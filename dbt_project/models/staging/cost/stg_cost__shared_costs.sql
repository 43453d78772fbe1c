select book_id, name, monthly_amount, rule, metric, capacity_per_day
from {{ source('cost', 'shared_costs') }}
