-- Lets the planner pick a merge or hash join for big files.
analyze incoming_ids
