select pg_advisory_unlock(7316221501)
