select version, checksum from app.schema_migrations
