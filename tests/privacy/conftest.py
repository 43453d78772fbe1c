from dagster_fixtures import dagster_instance, landing  # noqa: F401
