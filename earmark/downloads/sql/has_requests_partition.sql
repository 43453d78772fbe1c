select to_regclass('downloads.' || quote_ident(downloads.partition_name('requests', %(suffix)s))) is not null
