"""The Dagster code location. Imports `earmark`, never `api`."""
