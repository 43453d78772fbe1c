select max(collected_at) from cost.collected_runs
