"""The caller's own settings, usage, quotas and keys."""

import uuid

from earmark import db, tenancy


def test_settings_read_and_validated_update(client, make_tenant, make_key):
    tenant = make_tenant()
    writer = make_key(tenant, ["attribution:read", "settings:write"])
    before = client.get("/api/v1/settings", headers=writer.headers).json()
    assert (before["lookback_days"], before["position_first_weight"]) == (30, 0.4)

    changed = client.patch(
        "/api/v1/settings",
        json={"lookback_days": 45, "position_first_weight": 0.3, "position_last_weight": 0.5},
        headers=writer.headers,
    )
    assert changed.status_code == 200
    assert (changed.json()["lookback_days"], changed.json()["position_last_weight"]) == (45, 0.5)
    with db.connect("owner") as conn:
        stored = tenancy.get_settings(conn, tenant.id)
    assert (stored.lookback_days, stored.position_first_weight) == (45, 0.3)

    for body in (
        {"position_first_weight": 0.7},
        {"lookback_days": 0},
        {"lookback_days": 366},
        {"time_decay_half_life_days": 0},
        {"position_last_weight": 1.5},
        {"currency": "EUR"},
    ):
        answer = client.patch("/api/v1/settings", json=body, headers=writer.headers)
        assert answer.status_code == 422, body
        assert answer.headers["content-type"] == "application/problem+json"


def test_usage_and_quotas_follow_the_tier(client, make_tenant, make_key):
    tenant = make_tenant("free")
    caller = make_key(tenant)
    quotas = client.get("/api/v1/quotas", headers=caller.headers).json()
    assert quotas == {
        "tier": "free",
        "events_per_month": 100_000,
        "api_requests_per_minute": 600,
        "api_requests_per_month": 1_000_000,
        "storage_bytes": 1_000_000_000,
    }
    with db.connect("owner") as conn:
        tenancy.add_ingested_events(conn, tenant.id, 1234, 246_800)
        conn.commit()
    used = client.get("/api/v1/usage", headers=caller.headers).json()
    assert (used["events_ingested"], used["storage_bytes"]) == (1234, 246_800)
    assert used["api_requests"] >= 2
    assert used["quotas"]["tier"] == "free"


def test_keys_are_created_listed_and_revoked_within_the_tenant(client, make_tenant, make_key):
    tenant, other = make_tenant(), make_tenant()
    admin, theirs = make_key(tenant, ["attribution:read", "keys:admin"]), make_key(other, ["keys:admin"])
    created = client.post(
        "/api/v1/keys", json={"name": "dashboard", "scopes": ["attribution:read"]}, headers=admin.headers
    )
    assert created.status_code == 201
    new = created.json()
    assert new["key"].startswith("ek_live_") and new["prefix"] == new["key"][:16]
    assert (
        client.get("/api/v1/settings", headers={"Authorization": f"Bearer {new['key']}"}).status_code == 200
    )

    listed = client.get("/api/v1/keys", headers=admin.headers).json()["data"]
    assert {k["id"] for k in listed} == {admin.key_id, new["id"]}
    assert all("key" not in k and "key_hash" not in k for k in listed)

    escalate = client.post("/api/v1/keys", json={"scopes": ["settings:write"]}, headers=admin.headers)
    assert escalate.status_code == 403
    assert client.delete(f"/api/v1/keys/{theirs.key_id}", headers=admin.headers).status_code == 404
    assert client.delete(f"/api/v1/keys/{uuid.uuid4()}", headers=admin.headers).status_code == 404
    revoked = client.delete(f"/api/v1/keys/{new['id']}", headers=admin.headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    # Same worker: its cache entry was dropped, so the key stops at once.
    assert (
        client.get("/api/v1/settings", headers={"Authorization": f"Bearer {new['key']}"}).status_code == 401
    )
    assert client.get("/api/v1/settings", headers=theirs.headers).status_code == 200
