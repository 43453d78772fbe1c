-- Failures of an account (email subject) and of an address within the window.
select
    count(*) filter (where subject = %(email_subject)s) as account,
    count(*) filter (where subject = %(address_subject)s) as address
from app.signin_failures
where subject in (%(email_subject)s, %(address_subject)s) and failed_at > now() - %(window)s::interval
