select count(*) from cost.price_books
