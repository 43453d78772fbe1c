select line, network::text from downloads.datacenter_cidrs where version = %(version)s order by line
