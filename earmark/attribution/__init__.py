"""Attribution: dbt environment, export and benchmark (the SQL itself lives in dbt_project/).

MODELS is the one list of attribution models: the API's Literal and the CLI are built from it, and
tests/core/test_shared_names.py checks every SQL and YAML file that must spell them out too.
"""

MODELS = ("first_touch", "last_touch", "linear", "time_decay", "position_based")
