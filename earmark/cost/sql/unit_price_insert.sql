insert into cost.unit_prices (book_id, resource, price, per, per_month)
values (%(book_id)s, %(resource)s, %(price)s, %(per)s, %(per_month)s)
