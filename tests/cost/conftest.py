"""The Dagster fixtures (tests/dagster_fixtures.py)."""

from dagster_fixtures import dagster_instance  # noqa: F401
