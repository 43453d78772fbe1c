-- Composed with psycopg.sql (DDL takes no parameters): the role as an identifier, the password as a SCRAM
-- verifier literal (earmark.migrate computes it client-side, so no plain password reaches the server).
alter role {role} password {password}
