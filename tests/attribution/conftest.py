"""Fixtures for attribution tests."""

from __future__ import annotations

import uuid

import pytest

from earmark import db


@pytest.fixture
def set_settings():
    def _set(tenant_id: uuid.UUID, **values) -> None:
        assignments = ", ".join(f"{k} = %s" for k in values)
        with db.connect("owner") as conn:
            conn.execute(f"update app.tenant_settings set {assignments}, updated_at = now() "
                         "where tenant_id = %s", [*values.values(), tenant_id])
            conn.commit()
    return _set
