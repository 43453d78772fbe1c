-- The previous active version stepped down just before (carrier_deactivate.sql), in the same transaction.
insert into households.carrier_list_versions (sha256, source, active)
values (%(sha256)s, %(source)s, true)
returning version
