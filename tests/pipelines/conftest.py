import dagster as dg
import pytest

from earmark.orchestration import prepare_dagster_home


@pytest.fixture(scope="session")
def dagster_instance(database):
    """The persistent instance (dagster-postgres on the test server), as `earmark run` uses it."""
    prepare_dagster_home()
    with dg.DagsterInstance.get() as instance:
        yield instance
