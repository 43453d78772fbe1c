-- One failure, counted for the account and for the address; rows older than a day go at the same time.
with expired as (
    delete from app.signin_failures where failed_at < now() - interval '1 day'
)
insert into app.signin_failures (subject) values (%(email_subject)s), (%(address_subject)s)
