-- Composed with psycopg.sql (DDL takes no parameters): the role as an identifier, the password as a literal.
alter role {role} password {password}
