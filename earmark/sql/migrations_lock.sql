-- Serialises every process that migrates this database (any constant works, if all use the same one).
select pg_advisory_lock(7316221501)
