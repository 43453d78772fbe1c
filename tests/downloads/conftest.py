"""Fixtures of the downloads tests that run through Dagster: the persistent instance and a tenant whose
landing folder is removed afterwards (a log left behind would be loaded by the next `earmark run` of
the session)."""

import shutil

import dagster as dg
import pytest

from earmark.orchestration import landing_folder, prepare_dagster_home


@pytest.fixture(scope="session")
def dagster_instance(database):
    prepare_dagster_home()
    with dg.DagsterInstance.get() as instance:
        yield instance


@pytest.fixture
def landing(make_tenant):
    tenant = make_tenant()
    folder = landing_folder(str(tenant.id))
    yield tenant, folder
    shutil.rmtree(folder, ignore_errors=True)
