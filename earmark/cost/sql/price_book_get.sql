select book_id, version, effective_from, currency, sha256, source, loaded_at
from cost.price_books where book_id = %(book_id)s
