select book_id, sha256 from cost.price_books where version = %(version)s
