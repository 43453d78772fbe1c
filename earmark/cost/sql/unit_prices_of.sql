select resource, price, per, per_month from cost.unit_prices where book_id = %(book_id)s order by resource
