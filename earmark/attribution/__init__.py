"""Attribution: dbt environment, export and benchmark (the SQL itself lives in dbt_project/)."""
