-- One price book load at a time (the version check and the insert are one decision).
lock table cost.price_books in share row exclusive mode
