-- Lets the planner size the sort and the catalog joins of a big file.
analyze events_stage
