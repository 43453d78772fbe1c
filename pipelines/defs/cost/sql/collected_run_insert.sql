insert into cost.collected_runs (run_id) values (%(run_id)s) on conflict do nothing
