-- Lets the planner pick a hash anti-join for big files.
analyze events_stage
