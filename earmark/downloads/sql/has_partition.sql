select to_regclass('downloads.' || quote_ident(downloads.partition_name(%(kind)s, %(suffix)s))) is not null
