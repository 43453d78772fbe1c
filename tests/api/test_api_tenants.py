"""Tenant administration with platform keys, through owner-owned SECURITY DEFINER functions."""

import uuid

from earmark import db, keys


def test_platform_key_creates_lists_gets_and_updates_tenants(client, make_key):
    platform = make_key(None)
    name = f"api-made-{uuid.uuid4().hex[:8]}"
    created = client.post("/api/v1/tenants", json={"name": name, "tier": "free"}, headers=platform.headers)
    assert created.status_code == 201
    tenant = created.json()
    assert (tenant["name"], tenant["tier"], tenant["status"]) == (name, "free", "active")

    got = client.get(f"/api/v1/tenants/{tenant['id']}", headers=platform.headers).json()
    assert got == tenant
    listed, after = [], None
    while True:
        params = {"limit": 2, **({"starting_after": after} if after else {})}
        page = client.get("/api/v1/tenants", params=params, headers=platform.headers).json()
        listed += page["data"]
        if not page["has_more"]:
            break
        after = page["data"][-1]["id"]
    assert tenant["id"] in [t["id"] for t in listed]
    assert len({t["id"] for t in listed}) == len(listed)

    updated = client.patch(
        f"/api/v1/tenants/{tenant['id']}",
        json={"tier": "enterprise", "status": "suspended"},
        headers=platform.headers,
    ).json()
    assert (updated["tier"], updated["status"]) == ("enterprise", "suspended")


def test_tenant_admin_errors(client, make_key, make_tenant):
    platform = make_key(None)
    existing = make_tenant()
    dup = client.post("/api/v1/tenants", json={"name": existing.name}, headers=platform.headers)
    assert dup.status_code == 409 and dup.json()["type"].endswith("/conflict")
    extra = client.post(
        "/api/v1/tenants", json={"name": "x-" + uuid.uuid4().hex, "owner": "me"}, headers=platform.headers
    )
    assert extra.status_code == 422
    missing = client.get(f"/api/v1/tenants/{uuid.uuid4()}", headers=platform.headers)
    assert missing.status_code == 404
    bad_tier = client.patch(f"/api/v1/tenants/{existing.id}", json={"tier": "gold"}, headers=platform.headers)
    assert bad_tier.status_code == 422


def test_a_platform_key_reads_no_tenant_data_and_a_revoked_one_admins_nothing(client, make_key):
    platform = make_key(None)
    answer = client.get("/api/v1/settings", headers=platform.headers)
    assert answer.status_code == 403 and answer.json()["type"].endswith("/tenant-key-required")
    with db.connect("owner") as conn:
        keys.revoke(conn, platform.key_id)
    # The database refuses a revoked platform key at once, whatever the API's key cache says.
    assert client.get("/api/v1/tenants", headers=platform.headers).status_code == 401


def test_a_suspended_tenants_keys_get_403(make_client, make_key, make_tenant):
    client = make_client(key_cache_seconds=0.1)
    tenant = make_tenant()
    caller, platform = make_key(tenant), make_key(None)
    assert client.get("/api/v1/settings", headers=caller.headers).status_code == 200
    client.patch(f"/api/v1/tenants/{tenant.id}", json={"status": "suspended"}, headers=platform.headers)
    import time

    time.sleep(0.2)
    answer = client.get("/api/v1/settings", headers=caller.headers)
    assert answer.status_code == 403 and answer.json()["type"].endswith("/tenant-suspended")


def test_a_tenant_name_of_only_invisible_characters_is_a_422(client, make_key):
    """schemathesis found "\\u001e" (which Python's strip() removes) reaching the database as a 500."""
    platform = make_key(None)
    for name in ("\u001e", " \u001f\t", "\u0085", "\u0000x"):
        answer = client.post("/api/v1/tenants", json={"name": name}, headers=platform.headers)
        assert answer.status_code == 422, (name, answer.text)
        assert answer.json()["errors"][0]["loc"] == ["body", "name"]
    visible = client.post("/api/v1/tenants", json={"name": "\u001eRecord Audio"}, headers=platform.headers)
    assert visible.status_code == 201 and visible.json()["name"] == "Record Audio"
