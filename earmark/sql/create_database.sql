-- Composed with psycopg.sql: the name as an identifier.
create database {name} owner earmark_owner
