select book_id, version, effective_from, currency, loaded_at
from {{ source('cost', 'price_books') }}
