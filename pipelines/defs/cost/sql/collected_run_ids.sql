select run_id from cost.collected_runs
