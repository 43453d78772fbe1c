select (select count(*) from downloads.bot_patterns where version = %(version)s) as bot_patterns,
       (select count(*) from downloads.datacenter_cidrs where version = %(version)s) as datacenter_cidrs
