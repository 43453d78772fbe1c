select to_regclass('app.schema_migrations')
