{#
  One row per key: the daily-metrics mart has one value per series and day, or a series would be counted
  twice by the detector (dbt hub's unique_combination_of_columns cannot be downloaded here).
#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as rows_per_key
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
