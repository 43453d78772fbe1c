-- The engine's own sort memory (fct_touch_credits' pre-hook), so the floor sorts as it does.
set local work_mem = '512MB'
