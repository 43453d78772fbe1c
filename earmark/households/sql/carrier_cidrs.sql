select line, network::text, note from households.carrier_cidrs where version = %(version)s order by line
