"""Tenant isolation: the catalog obeys the rules, and the API role sees nothing it should not."""

import psycopg
import pytest

from earmark import db
from isolation_catalog import isolation_violations


def test_catalog_has_rls_on_every_tenant_table(database):
    with db.connect("owner") as conn:
        violations = isolation_violations(conn)
    assert violations == {label: [] for label in violations}


def test_catalog_test_catches_an_unprotected_table(database):
    """The catalog check itself must fail on a table that forgets RLS (then the change is undone)."""
    with db.connect("owner", autocommit=False) as conn:
        conn.execute("create table app.forgotten (tenant_id uuid, note text)")
        violations = isolation_violations(conn)
        conn.rollback()
    assert "app.forgotten" in violations["tables without RLS enabled, forced and a policy"]
    assert "app.forgotten" in violations["tables without an index leading with tenant_id"]


RLS_TABLES = ["app.tenants", "app.tenant_settings", "app.tenant_usage", "raw.ingest_batches",
              "raw.rejected_events"]


@pytest.mark.parametrize("table", RLS_TABLES)
def test_api_role_without_tenant_sees_nothing(table, make_tenant, api_conn):
    make_tenant()
    assert api_conn.execute(f"select count(*) from {table}").fetchone()[0] == 0


def test_api_role_sees_only_its_tenant(make_tenant, api_conn):
    first, second = make_tenant(), make_tenant()
    with db.tenant_transaction(api_conn, first.id):
        names = [r[0] for r in api_conn.execute("select name from app.tenants")]
        settings = api_conn.execute("select tenant_id from app.tenant_settings").fetchall()
    assert names == [first.name]
    assert settings == [(first.id,)]
    # set_config(..., true) ends with the transaction: the next one starts with no tenant.
    assert api_conn.execute("select count(*) from app.tenants").fetchone()[0] == 0
    api_conn.rollback()
    with db.tenant_transaction(api_conn, second.id):
        assert [r[0] for r in api_conn.execute("select name from app.tenants")] == [second.name]


def test_api_role_cannot_insert_without_or_across_tenants(make_tenant, api_conn):
    tenant = make_tenant()
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        api_conn.execute(
            "insert into app.tenant_usage (tenant_id, period_start) values (%s, current_date)", [tenant.id])
    api_conn.rollback()
    other = make_tenant()
    with pytest.raises(psycopg.errors.InsufficientPrivilege), db.tenant_transaction(api_conn, tenant.id):
        api_conn.execute(
            "insert into app.tenant_usage (tenant_id, period_start) values (%s, current_date)", [other.id])
    api_conn.rollback()
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        api_conn.execute(
            "insert into raw.events (tenant_id, event_id, user_id, occurred_at, event_type, channel, "
            "batch_id) values (%s, 'e', 'u', now(), 'touchpoint', 'x', gen_random_uuid())",
            [tenant.id],
        )
