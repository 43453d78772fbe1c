-- One network of a new carrier list version (earmark/households/carriers.py).
insert into households.carrier_cidrs (version, line, network, note) values (%s, %s, %s, %s)
