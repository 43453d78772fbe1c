"""Usage the database measures itself: storage per tenant and table, and read-API requests per day."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import ApiSettings
from earmark import db
from earmark.cost import ledger, measured


def _by_table(events) -> dict:
    found: dict = {}
    for event in events:
        found.setdefault(event.resource_id, {})[event.tenant_id] = event
    return found


def test_storage_accounts_for_every_byte_of_the_database_once(make_tenant, database):
    tenant = make_tenant()
    today = datetime.now(UTC).date()
    with db.connect("owner") as conn:
        events = measured.storage_events(conn, today)
        database_bytes = conn.execute("select pg_database_size(current_database())").fetchone()[0]
        settings_bytes = conn.execute("select pg_total_relation_size('app.tenant_settings')").fetchone()[0]
        tenant_count = conn.execute("select count(*) from app.tenant_settings").fetchone()[0]
    # every byte once: the tenants' tables, shared by tenant, and the rest as one unattributed line
    assert sum(e.quantity for e in events) == database_bytes
    tables = _by_table(events)
    assert tables[measured.PLATFORM].keys() == {None}
    # a plain table: its whole size, split over the tenants with rows in it (each tenant has one settings row)
    settings = tables["app.tenant_settings"]
    assert sum(e.quantity for e in settings.values()) == settings_bytes and len(settings) == tenant_count
    assert settings[tenant.id].quantity > 0 and not settings[tenant.id].is_estimate
    assert settings[tenant.id].tags == {"method": "column_size_share"}
    assert {e.source_event_id for e in settings.values()} == {f"app.tenant_settings/{today}"}


def test_a_tenant_partition_is_measured_exactly_and_a_large_table_by_sample(make_tenant, database,
                                                                             monkeypatch):
    from earmark.attribution import synthetic

    tenant = make_tenant()
    with db.connect("transformer") as conn:
        synthetic.copy_events(conn, tenant.id, synthetic.generate_journeys(50, seed=5))
        conn.commit()
    today = datetime.now(UTC).date()
    with db.connect("owner") as conn:
        partition = conn.execute(
            "select sum(pg_total_relation_size(t.relid)) from pg_inherits i "
            "join pg_class k on k.oid = i.inhrelid, pg_partition_tree(i.inhrelid) t "
            "where i.inhparent = 'raw.events'::regclass and t.isleaf "
            "and pg_get_expr(k.relpartbound, k.oid) like %s", [f"%{tenant.id}%"]).fetchone()[0]
        exact = _by_table(measured.storage_events(conn, today))
        monkeypatch.setattr(measured, "SAMPLE_ABOVE", -1)  # every shared table counts as large
        sampled = _by_table(measured.storage_events(conn, today))
    events = exact["raw.events"][tenant.id]
    assert partition > 0 and events.quantity == partition and events.tags == {"method": "partition_size"}
    # sampled shares still add up to the table's size exactly, and say they are an estimate
    settings = sampled["app.tenant_settings"]
    assert sum(e.quantity for e in settings.values()) == sum(
        e.quantity for e in exact["app.tenant_settings"].values())
    assert all(e.is_estimate and e.tags == {"method": "sampled_column_size_share"} for e in settings.values())


def test_api_requests_are_counted_per_day_and_charged_once_the_day_is_over(make_tenant, make_key, database):
    tenant = make_tenant()
    caller = make_key(tenant, ["attribution:read"])
    with TestClient(create_app(api_settings=ApiSettings())) as client:  # leaving it flushes the counts
        for _ in range(3):
            assert client.get("/api/v1/quotas", headers=caller.headers).status_code == 200
    today = datetime.now(UTC).date()
    with db.connect("owner") as conn:
        daily = conn.execute("select usage_date, api_requests from app.tenant_usage_daily "
                             "where tenant_id = %s", [tenant.id]).fetchall()
        assert daily == [(today, 3)]
        # today's count is not final: nothing yet; yesterday's is
        assert [e for e in measured.api_request_events(conn, today) if e.tenant_id == tenant.id] == []
        conn.execute("insert into app.tenant_usage_daily values (%s, %s, 41)",
                     [tenant.id, today - timedelta(days=1)])
        (event,) = [e for e in measured.api_request_events(conn, today) if e.tenant_id == tenant.id]
        assert (event.usage_date, event.quantity, event.resource) == (today - timedelta(days=1), Decimal(41),
                                                                       "api_requests")
        with conn.transaction():
            assert ledger.record(conn, [event]) == 1
        assert [e for e in measured.api_request_events(conn, today) if e.tenant_id == tenant.id] == []
