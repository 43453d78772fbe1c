"""Tenants with the hand-worked catalog of catalog_files.py, their events, and one dbt build for all."""

from __future__ import annotations

import os

import pytest
from catalog_files import CATALOG, EconomicsTenants, build, import_catalog, journeys, load

from earmark import db, tenancy


@pytest.fixture(scope="session")
def economics_tenants(database, tmp_path_factory) -> EconomicsTenants:
    from datetime import UTC, datetime

    made = []
    with db.connect("owner") as conn:
        for label in ("a", "b"):
            made.append(tenancy.create_tenant(conn, f"economics-{label}-{os.getpid()}", "enterprise"))
    import_catalog(made[0].id, tmp_path_factory.mktemp("catalog-a"))
    load(made[0].id, journeys(datetime(2026, 9, 1, tzinfo=UTC)))
    # Tenant b: the same show, campaign and placement ids at other rates; deliveries but no conversions.
    other = [(kind, [{**row, "rate": "1"} if kind == "placements" else
                     {**row, "impressions": "7"} if kind == "deliveries" else row for row in rows])
             for kind, rows in CATALOG]
    import_catalog(made[1].id, tmp_path_factory.mktemp("catalog-b"), other)
    build()
    return EconomicsTenants(*made)
