-- All five models side by side, one row per (channel, model).
select channel, model, conversions, revenue
from analytics.fct_model_comparison
order by channel, model
