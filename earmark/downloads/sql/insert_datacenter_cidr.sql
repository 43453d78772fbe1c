-- One network of a new data-centre list version (lists/store.py).
insert into downloads.datacenter_cidrs (version, line, network) values (%s, %s, %s)
