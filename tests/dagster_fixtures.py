"""Fixtures of the tests that run through Dagster (tests/pipelines, tests/downloads): the persistent
instance and a tenant whose landing folder is removed afterwards. Each of those folders' conftest imports
them."""

import shutil

import dagster as dg
import pytest

from earmark.orchestration import landing_folder, prepare_dagster_home


@pytest.fixture(scope="session")
def dagster_instance(database):
    """The persistent instance (dagster-postgres on the test server), as `earmark run` uses it."""
    prepare_dagster_home()
    with dg.DagsterInstance.get() as instance:
        yield instance


@pytest.fixture
def landing(make_tenant):
    """A new tenant and its landing folder, removed afterwards whether the test passed or failed (a file
    left behind would be ingested by the next `earmark run` of the session)."""
    tenant = make_tenant()
    folder = landing_folder(str(tenant.id))
    yield tenant, folder
    shutil.rmtree(folder, ignore_errors=True)
