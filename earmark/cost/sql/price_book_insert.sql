insert into cost.price_books (version, effective_from, currency, sha256, source)
values (%(version)s, %(effective_from)s, %(currency)s, %(sha256)s, %(source)s)
returning book_id
