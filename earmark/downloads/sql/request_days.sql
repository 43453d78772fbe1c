select min(first_day), max(last_day) from downloads.batches where status = 'succeeded' and loaded > 0
