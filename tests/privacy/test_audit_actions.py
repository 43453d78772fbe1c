"""Every security-relevant action appends exactly one audit entry (issue 16, point 1), with a pseudonymous
actor, the target and what changed, never a secret, password or email; GET /api/v1/audit pages them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import ApiSettings
from earmark import db
from earmark.identity import users
from earmark.privacy import audit
from earmark.privacy.actions import ACTIONS

EARMARK = str(Path(sys.executable).with_name("earmark"))
PASSWORD = "an audit-proof passphrase"
CLI = audit.cli_actor()


def earmark(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([EARMARK, *args], capture_output=True, text=True, timeout=300, input=stdin,
                          env=os.environ.copy())
    assert done.returncode == 0, done.stderr
    return done


def entries(tenant_id, since_seq: int = 0) -> list[dict]:
    """The tenant's chain (the owner reads every chain), oldest first, as dicts."""
    with db.connect("owner") as conn:
        cur = conn.execute("select seq, actor, action, target, request_id, changes, hash from app.audit_log "
                           "where tenant_id = %s and seq > %s order by seq", [tenant_id, since_seq])
        names = [c.name for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def head(tenant_id) -> int:
    with db.connect("owner") as conn:
        row = conn.execute("select seq from app.audit_heads where tenant_id = %s", [tenant_id]).fetchone()
    return row[0] if row else 0


def assert_clean(tenant_id, *secrets: str) -> None:
    """Nothing in the tenant's chain holds any of `secrets`, and the chain verifies."""
    text = json.dumps(entries(tenant_id), default=str).lower()
    for secret in secrets:
        assert secret.lower() not in text, secret
    with db.connect("owner") as conn:
        assert audit.verify(conn, tenant_id).ok


def the_one(found: list[dict], action: str) -> dict:
    matching = [e for e in found if e["action"] == action]
    assert len(matching) == 1, found
    assert matching[0]["action"] in ACTIONS
    return matching[0]


def test_keys_created_and_revoked_through_the_api(make_tenant, make_key, client):
    tenant = make_tenant()
    admin = make_key(tenant, ["attribution:read", "keys:admin"])
    made = client.post("/api/v1/keys", headers=admin.headers,
                       json={"name": "dashboard", "scopes": ["attribution:read"]})
    assert made.status_code == 201, made.text
    new = made.json()
    revoked = client.delete(f"/api/v1/keys/{new['id']}", headers=admin.headers)
    assert revoked.status_code == 200

    found = entries(tenant.id)
    assert [e["action"] for e in found] == ["key_created", "key_revoked"]
    created, gone = found
    assert created["actor"] == gone["actor"] == f"key:{admin.key_id}"
    assert created["target"] == gone["target"] == f"key:{new['id']}"
    assert created["changes"] == {"name": "dashboard", "mode": "live", "scopes": ["attribution:read"],
                                  "expires_at": None, "revoked_at": None}
    assert gone["changes"]["revoked_at"] is not None and gone["changes"]["name"] == "dashboard"
    assert re.fullmatch(r"[0-9a-f]{32}", created["request_id"])
    assert created["request_id"] != gone["request_id"]
    # neither the new key's secret nor its lookup prefix (the secret's first characters), nor the caller's
    assert_clean(tenant.id, new["key"], new["prefix"], admin.secret)


def test_an_oauth_token_acts_as_its_client(make_tenant, make_token, client):
    tenant = make_tenant()
    caller = make_token(tenant, ["attribution:read", "keys:admin"])
    made = client.post("/api/v1/keys", headers=caller.headers, json={"name": "by token"})
    assert made.status_code == 201, made.text
    created = the_one(entries(tenant.id), "key_created")
    assert (created["actor"], created["target"]) == (f"client:{caller.key_id}", f"key:{made.json()['id']}")
    assert_clean(tenant.id, caller.secret, made.json()["key"])


def test_a_refused_revocation_leaves_no_entry(make_tenant, make_key, client):
    tenant = make_tenant()
    admin = make_key(tenant, ["keys:admin"])
    assert client.delete(f"/api/v1/keys/{uuid.uuid4()}", headers=admin.headers).status_code == 404
    assert entries(tenant.id) == []


def test_keys_and_platform_keys_from_the_cli(make_tenant):
    tenant = make_tenant()
    key = json.loads(earmark("keys", "create", "--tenant", str(tenant.id), "--name", "cli", "--json").stdout)
    earmark("keys", "revoke", key["id"])
    found = entries(tenant.id)
    assert [(e["action"], e["actor"], e["target"], e["request_id"]) for e in found] == [
        ("key_created", CLI, f"key:{key['id']}", ""), ("key_revoked", CLI, f"key:{key['id']}", "")]
    assert found[0]["changes"]["name"] == "cli"
    assert_clean(tenant.id, key["key"], key["prefix"])

    platform = json.loads(earmark("keys", "create", "--platform", "--name", "ops", "--json").stdout)
    earmark("keys", "revoke", platform["id"])
    mine = [e for e in entries(audit.PLATFORM) if e["target"] == f"key:{platform['id']}"]
    assert [(e["action"], e["actor"]) for e in mine] == [("platform_key_created", CLI),
                                                         ("platform_key_revoked", CLI)]
    assert mine[0]["changes"]["scopes"] == ["tenants:admin"]
    assert platform["key"] not in json.dumps(entries(audit.PLATFORM), default=str)


def test_a_settings_change_names_each_changed_field_with_its_old_and_new_value(make_tenant, make_key, client):
    tenant = make_tenant()
    writer = make_key(tenant, ["attribution:read", "settings:write"])
    before = client.get("/api/v1/settings", headers=writer.headers).json()
    new_lookback = 17 if before["lookback_days"] != 17 else 18
    answer = client.patch("/api/v1/settings", headers=writer.headers,
                          json={"lookback_days": new_lookback, "country": before["country"]})
    assert answer.status_code == 200, answer.text
    (entry,) = entries(tenant.id)
    assert (entry["action"], entry["actor"], entry["target"]) == (
        "settings_changed", f"key:{writer.key_id}", f"tenant:{tenant.id}")
    # the country was sent but did not change: only the lookback is an entry's change
    assert entry["changes"] == {"lookback_days": {"old": before["lookback_days"], "new": new_lookback}}
    # a change to nothing is no entry
    assert client.patch("/api/v1/settings", headers=writer.headers,
                        json={"lookback_days": new_lookback}).status_code == 200
    assert len(entries(tenant.id)) == 1


def test_a_user_created_and_its_role_changed_through_the_api(make_tenant, make_key, client):
    tenant = make_tenant()
    admin = make_key(tenant, ["users:admin"])
    email = f"Audit-{uuid.uuid4().hex[:8]}@example.com"
    made = client.post("/api/v1/users", headers=admin.headers,
                       json={"email": email, "role": "viewer", "password": PASSWORD})
    assert made.status_code == 201, made.text
    user_id = made.json()["id"]
    assert client.patch(f"/api/v1/users/{user_id}", headers=admin.headers,
                        json={"role": "analyst"}).status_code == 200
    assert client.patch(f"/api/v1/users/{user_id}", headers=admin.headers,
                        json={"status": "disabled"}).status_code == 200

    found = entries(tenant.id)
    assert [(e["action"], e["actor"], e["target"]) for e in found] == [
        ("user_created", f"key:{admin.key_id}", f"user:{user_id}"),
        ("user_role_changed", f"key:{admin.key_id}", f"user:{user_id}"),
        ("user_disabled", f"key:{admin.key_id}", f"user:{user_id}")]
    assert [e["changes"] for e in found] == [
        {"role": "viewer", "status": "active"},
        {"role": {"old": "viewer", "new": "analyst"}},
        {"status": {"old": "active", "new": "disabled"}}]
    assert_clean(tenant.id, PASSWORD, email, email.split("@")[0])


def test_users_created_and_disabled_from_the_cli(make_tenant):
    tenant = make_tenant()
    email = f"cli-{uuid.uuid4().hex[:8]}@example.com"
    user = json.loads(earmark("users", "create", "--tenant", str(tenant.id), "--email", email, "--role",
                              "admin", "--password-stdin", "--json", stdin=PASSWORD + "\n").stdout)
    earmark("users", "disable", user["id"])
    found = entries(tenant.id)
    assert [(e["action"], e["actor"], e["target"], e["changes"]) for e in found] == [
        ("user_created", CLI, f"user:{user['id']}", {"role": "admin", "status": "active"}),
        ("user_disabled", CLI, f"user:{user['id']}", {"status": {"old": "active", "new": "disabled"}})]
    assert_clean(tenant.id, PASSWORD, email)


@pytest.fixture
def browser(database):
    with TestClient(create_app(api_settings=ApiSettings()), base_url="https://testserver",
                    raise_server_exceptions=False, follow_redirects=False) as client:
        yield client


def _sign_in(browser, email: str, password: str):
    form = browser.get("/login")
    token = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', form.text).group(1)
    return browser.post("/login", data={"email": email, "password": password, "csrf_token": token})


def test_a_sign_in_and_a_failed_one_are_in_the_chain_as_the_security_events_are(make_tenant, browser):
    tenant = make_tenant()
    email = f"Signer-{uuid.uuid4().hex[:8]}@example.com"
    with db.connect("owner") as conn:
        user = users.create_user(conn, tenant.id, email, "analyst", PASSWORD)
    wrong = "not the passphrase at all"
    assert _sign_in(browser, email, wrong).status_code == 401
    assert _sign_in(browser, email, PASSWORD).status_code == 303

    found = entries(tenant.id)
    assert [(e["action"], e["actor"], e["target"]) for e in found] == [
        ("signin_failed", f"user:{user.id}", f"user:{user.id}"),
        ("signin", f"user:{user.id}", f"user:{user.id}")]
    failed, signed = found
    with db.connect("owner") as conn:
        events = conn.execute("select action, request_id, details from app.security_events "
                              "where tenant_id = %s order by id", [tenant.id]).fetchall()
    # the same action, request id and details as the security event
    assert [(e["action"], e["request_id"], e["changes"]) for e in found] == [tuple(e) for e in events]
    assert set(failed["changes"]) == {"address"} and re.fullmatch(r"address:[0-9a-f]{16}",
                                                                  failed["changes"]["address"])
    assert signed["changes"]["stage"] == "complete"
    assert_clean(tenant.id, PASSWORD, wrong, email, "testclient")


def _seed_ad_reads(tenant_id, reads: int) -> None:
    with db.connect("owner") as conn, db.tenant_transaction(conn, tenant_id):
        conn.execute("insert into ai.transcripts (tenant_id, episode_id, source_file, format, content_hash, "
                     "cue_count, duration_s, words) "
                     "values (%s, 'ep-1', 'ep-1.vtt', 'vtt', 'h', 10, 600, 900)",
                     [tenant_id])
        for seq in range(1, reads + 1):
            conn.execute("insert into ai.ad_reads (tenant_id, episode_id, seq, start_s, end_s, first_cue, "
                         "last_cue, kind, brand, advertiser_id, promo_codes, position, confidence, cta, "
                         "analyzer) values (%s, 'ep-1', %s, %s, %s, %s, %s, 'host_read', 'Sprocket', "
                         "'adv-1', "
                         "%s, 'mid', 0.9, true, 'local')",
                         [tenant_id, seq, 100 * seq, 100 * seq + 30, seq, seq, ["SECRETCODE"]])


def test_a_catalog_import_and_an_export_from_the_cli(make_tenant, tmp_path):
    tenant = make_tenant()
    shows = tmp_path / "shows.csv"
    shows.write_text("show_id,title\ns1,One\ns2,Two\n,Nameless\n")
    earmark("catalog", "import", "--tenant", str(tenant.id), "--kind", "shows", str(shows))
    earmark("catalog", "import", "--tenant", str(tenant.id), "--kind", "shows", str(shows))
    _seed_ad_reads(tenant.id, 3)
    exported = earmark("ai", "ad-reads", "--tenant", str(tenant.id), "--format", "json")
    assert len(json.loads(exported.stdout)) == 3

    found = entries(tenant.id)
    assert [(e["action"], e["actor"], e["target"]) for e in found] == [
        ("catalog_imported", CLI, "catalog:shows"), ("catalog_imported", CLI, "catalog:shows"),
        ("data_exported", CLI, "export:ad_reads")]
    first, again, export = (e["changes"] for e in found)
    assert first == {"file": "shows.csv", "entities": {"shows": {
        "rows": 3, "inserted": 2, "updated": 0, "unchanged": 0, "rejected": 1}}}
    assert again["entities"]["shows"] == {"rows": 3, "inserted": 0, "updated": 0, "unchanged": 2,
                                          "rejected": 1}
    assert export == {"what": "ad_reads", "rows": 3, "format": "json"}
    assert_clean(tenant.id, "Sprocket", "SECRETCODE", "Nameless")  # counts only, never the data


def test_tenants_created_and_their_status_changed_go_to_the_platform_chain(make_key, client):
    name = f"audited-{uuid.uuid4().hex[:8]}"
    made = json.loads(earmark("tenants", "create", "--name", name, "--json").stdout)
    platform = make_key(None)
    answer = client.post("/api/v1/tenants", headers=platform.headers, json={"name": name + "-api"})
    assert answer.status_code == 201, answer.text
    other = answer.json()["id"]
    assert client.patch(f"/api/v1/tenants/{other}", headers=platform.headers,
                        json={"status": "suspended"}).status_code == 200

    chain = entries(audit.PLATFORM)
    by_target = {t: [(e["action"], e["actor"], e["changes"]) for e in chain if e["target"] == f"tenant:{t}"]
                 for t in (made["id"], other)}
    assert by_target[made["id"]] == [("tenant_created", CLI, {"name": name, "tier": "standard",
                                                              "status": "active"})]
    assert by_target[other] == [
        ("tenant_created", f"key:{platform.key_id}", {"name": name + "-api", "tier": "standard",
                                                      "status": "active"}),
        ("tenant_status_changed", f"key:{platform.key_id}",
         {"status": {"old": "active", "new": "suspended"}})]
    assert entries(made["id"]) == entries(other) == []  # nothing in the tenants' own chains
    with db.connect("owner") as conn:
        assert audit.verify(conn, audit.PLATFORM).ok
    assert platform.secret not in json.dumps(chain, default=str)


def test_oauth_clients_created_and_revoked_from_the_cli(make_tenant):
    tenant = make_tenant()
    made = json.loads(earmark("oauth", "clients", "create", "--tenant", str(tenant.id), "--name", "Dash",
                              "--redirect-uri", "https://dash.example/cb", "--json").stdout)
    earmark("oauth", "clients", "revoke", made["client_id"], "--tenant", str(tenant.id))
    found = entries(tenant.id)
    assert [(e["action"], e["actor"], e["target"]) for e in found] == [
        ("oauth_client_created", CLI, f"client:{made['client_id']}"),
        ("oauth_client_revoked", CLI, f"client:{made['client_id']}")]
    assert found[0]["changes"] == {"name": "Dash", "public": False, "scopes": ["attribution:read"],
                                   "grant_types": ["authorization_code", "refresh_token"],
                                   "redirect_uris": ["https://dash.example/cb"]}
    assert_clean(tenant.id, made["client_secret"])


# ---- GET /api/v1/audit ------------------------------------------------------------------------------------

def test_the_audit_route_pages_newest_first_and_filters(make_tenant, make_key, client):
    tenant = make_tenant()
    with db.connect("owner") as conn:
        for n in range(5):
            audit.append(conn, tenant.id, "system", "key_created" if n % 2 == 0 else "settings_changed",
                         f"thing:{n}", changes={"n": n})
    admin = make_key(tenant, ["users:admin"])
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"starting_after": cursor} if cursor else {})}
        page = client.get("/api/v1/audit", headers=admin.headers, params=params)
        assert page.status_code == 200, page.text
        body = page.json()
        seen.append([e["seq"] for e in body["data"]])
        cursor = body["next_cursor"]
        assert body["has_more"] == (cursor is not None)
        if cursor is None:
            break
    assert seen == [[5, 4], [3, 2], [1]]

    first = client.get("/api/v1/audit", headers=admin.headers, params={"limit": 1}).json()["data"][0]
    stored = entries(tenant.id)[-1]
    assert {k: first[k] for k in stored} == stored
    assert stored["changes"] == {"n": 4}

    keys_only = client.get("/api/v1/audit", headers=admin.headers, params={"action": "key_created"}).json()
    assert [(e["seq"], e["target"]) for e in keys_only["data"]] == [(5, "thing:4"), (3, "thing:2"),
                                                                  (1, "thing:0")]
    assert keys_only["next_cursor"] is None
    paged = client.get("/api/v1/audit", headers=admin.headers,
                       params={"action": "key_created", "limit": 1}).json()
    rest = client.get("/api/v1/audit", headers=admin.headers,
                      params={"action": "key_created", "starting_after": paged["next_cursor"]}).json()
    assert [e["seq"] for e in rest["data"]] == [3, 1]

    all_entries = client.get("/api/v1/audit", headers=admin.headers).json()["data"]
    at = {e["seq"]: e["occurred_at"] for e in all_entries}
    window = client.get("/api/v1/audit", headers=admin.headers,
                        params={"since": at[2], "until": at[4]}).json()["data"]
    assert [e["seq"] for e in window] == [3, 2]  # since inclusive, until exclusive
    later = (datetime.fromisoformat(at[5]) + timedelta(seconds=1)).isoformat()
    assert client.get("/api/v1/audit", headers=admin.headers, params={"since": later}).json()["data"] == []


def test_the_audit_route_is_for_admins_and_refuses_bad_input(make_tenant, make_key, client):
    tenant = make_tenant()
    other = make_tenant()
    reader = make_key(tenant, ["attribution:read", "keys:admin", "settings:write"])
    refused = client.get("/api/v1/audit", headers=reader.headers)
    assert refused.status_code == 403 and "users:admin" in refused.json()["detail"]
    admin = make_key(tenant, ["users:admin"])
    assert client.get("/api/v1/audit", headers=admin.headers,
                      params={"action": "Key Created"}).status_code == 422
    assert client.get("/api/v1/audit", headers=admin.headers,
                      params={"since": "2026-01-01T00:00:00"}).status_code == 422  # no zone
    assert client.get("/api/v1/audit", headers=admin.headers,
                      params={"starting_after": "forged.cursor"}).status_code == 422
    # another tenant's cursor is not this tenant's
    with db.connect("owner") as conn:
        for _ in range(2):
            audit.append(conn, other.id, "system", "key_created")
    other_admin = make_key(other, ["users:admin"])
    cursor = client.get("/api/v1/audit", headers=other_admin.headers,
                        params={"limit": 1}).json()["next_cursor"]
    assert cursor is not None
    assert client.get("/api/v1/audit", headers=admin.headers,
                      params={"starting_after": cursor}).status_code == 422
    # a tenant sees only its own chain
    assert client.get("/api/v1/audit", headers=admin.headers).json()["data"] == []
