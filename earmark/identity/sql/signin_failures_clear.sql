-- A successful sign-in clears the account's failures (not the address's: one good password from an
-- address that is guessing at others must not reset its count).
delete from app.signin_failures where subject = %(email_subject)s
