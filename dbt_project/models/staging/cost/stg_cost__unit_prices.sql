select book_id, resource, price, per, per_month
from {{ source('cost', 'unit_prices') }}
