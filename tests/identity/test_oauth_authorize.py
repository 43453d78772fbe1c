"""The OAuth 2.1 authorization endpoint and metadata: PKCE S256 only, exact redirect URIs, sign-in and
consent, errors sent back or shown, client registration from the CLI."""

from __future__ import annotations

import json
import re

import pytest
from oauth_flow import (
    PASSWORD,
    REDIRECT,
    authorize_params,
    csrf,
    events_of,
    exchange,
    introspect,
    pkce,
    query_of,
    sign_in,
)

from earmark import db
from earmark.identity import oauth


def test_metadata_names_the_issuer_and_only_s256(browser):
    meta = browser.get("/.well-known/oauth-authorization-server").json()
    assert meta["issuer"] == "https://testserver"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["token_endpoint"] == "https://testserver/oauth/token"
    assert meta["response_types_supported"] == ["code"]
    assert "password" not in meta["grant_types_supported"] and "implicit" not in meta["grant_types_supported"]


def test_signed_out_user_signs_in_consents_once_and_the_token_reads_the_api(browser, setup):
    tenant, user, client, secret, _ = setup
    verifier, challenge = pkce()
    params = authorize_params(client.client_id, challenge)
    first = browser.get("/oauth/authorize", params=params)
    assert first.status_code == 303 and first.headers["location"].startswith(
        "/login?next=%2Foauth%2Fauthorize%3F"
    )
    signed = sign_in(browser, user.email, PASSWORD, next_path=first.headers["location"].split("next=")[1])
    consent = browser.get("/oauth/authorize", params=params)
    assert consent.status_code == 200 and "Dashboard" in consent.text and "attribution:read" in consent.text
    assert 'name="decision" value="allow"' in consent.text and 'name="decision" value="deny"' in consent.text
    assert signed.status_code == 303
    action = re.search(r'action="([^"]+)"', consent.text.split("<form")[1]).group(1).replace("&amp;", "&")
    allowed = browser.post(action, data={"decision": "allow", "csrf_token": csrf(consent)})
    assert allowed.status_code == 303
    back = query_of(allowed.headers["location"])
    assert allowed.headers["location"].startswith(REDIRECT + "?")
    assert back["state"] == "st-123" and back["iss"] == "https://testserver"
    granted = events_of(tenant.id, "oauth_consent_granted")
    assert [row[1]["scopes"] for row in granted] == [["attribution:read"]]

    tokens = exchange(browser, client, secret, back["code"], verifier)
    assert tokens.status_code == 200, tokens.text
    assert tokens.headers["cache-control"] == "no-store"
    body = tokens.json()
    assert (body["token_type"], body["expires_in"], body["scope"]) == ("Bearer", 600, "attribution:read")
    assert body["access_token"].startswith("eat_") and body["refresh_token"].startswith("ert_")
    read = browser.get("/api/v1/settings", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert read.status_code == 200 and read.json()["lookback_days"] == 30
    # An analyst's token reads; it cannot change settings (the role has no settings:write).
    change = browser.patch(
        "/api/v1/settings",
        json={"lookback_days": 9},
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert change.status_code == 403
    seen = introspect(browser, client, secret, body["access_token"])
    assert seen["active"] is True and seen["sub"] == str(user.id) and seen["client_id"] == client.client_id
    assert seen["aud"] == "https://testserver/api/v1" and seen["tenant_id"] == str(tenant.id)

    # The second time, no consent page: straight back with a code.
    again = browser.get("/oauth/authorize", params=authorize_params(client.client_id, pkce()[1]))
    assert again.status_code == 302 and "code=" in again.headers["location"]


def test_deny_redirects_with_access_denied(browser, setup):
    tenant, user, client, _, _ = setup
    sign_in(browser, user.email, PASSWORD)
    consent = browser.get("/oauth/authorize", params=authorize_params(client.client_id, pkce()[1]))
    action = re.search(r'action="([^"]+)"', consent.text.split("<form")[1]).group(1).replace("&amp;", "&")
    denied = browser.post(action, data={"decision": "deny", "csrf_token": csrf(consent)})
    assert denied.status_code == 303
    back = query_of(denied.headers["location"])
    assert (back["error"], back["state"]) == ("access_denied", "st-123") and "code" not in back
    assert len(events_of(tenant.id, "oauth_consent_denied")) == 1


@pytest.mark.parametrize(
    "change, error",
    [
        ({"code_challenge": None, "code_challenge_method": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": None}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "attribution:read keys:admin"}, "invalid_scope"),
    ],
)
def test_refused_authorization_requests_go_back_with_an_error(browser, setup, change, error):
    _, user, client, _, _ = setup
    sign_in(browser, user.email, PASSWORD)
    params = {
        k: v for k, v in {**authorize_params(client.client_id, pkce()[1]), **change}.items() if v is not None
    }
    answer = browser.get("/oauth/authorize", params=params)
    assert answer.status_code in (302, 303)
    back = query_of(answer.headers["location"])
    assert answer.headers["location"].startswith(REDIRECT + "?")
    assert back["error"] == error and "code" not in back and "access_token" not in answer.headers["location"]


@pytest.mark.parametrize(
    "redirect_uri", [REDIRECT + "/", REDIRECT.upper(), REDIRECT + "?x=1", "https://evil.example/cb"]
)
def test_a_redirect_uri_not_registered_byte_for_byte_is_an_error_page_never_a_redirect(
    browser, setup, redirect_uri
):
    _, _, client, _, public = setup
    for who in (client, public):
        answer = browser.get(
            "/oauth/authorize", params=authorize_params(who.client_id, pkce()[1], redirect_uri=redirect_uri)
        )
        assert answer.status_code == 400 and "location" not in answer.headers
        assert answer.headers["content-type"].startswith("text/html")
    # With several registered, the request must name one.
    params = authorize_params(public.client_id, pkce()[1])
    del params["redirect_uri"]
    assert browser.get("/oauth/authorize", params=params).status_code == 400
    unknown = browser.get("/oauth/authorize", params=authorize_params("ec_" + "x" * 22, pkce()[1]))
    assert unknown.status_code == 400 and "location" not in unknown.headers


def test_the_client_cli_prints_the_secret_once_as_json(earmark_env, make_tenant):
    import subprocess
    import sys
    from pathlib import Path

    tenant = make_tenant()
    earmark = str(Path(sys.executable).parent / "earmark")
    done = subprocess.run(
        [
            earmark,
            "oauth",
            "clients",
            "create",
            "--tenant",
            str(tenant.id),
            "--name",
            "Dash",
            "--redirect-uri",
            REDIRECT,
            "--redirect-uri",
            REDIRECT + "2",
            "--scopes",
            "attribution:read,catalog:write",
            "--grant-types",
            "authorization_code,refresh_token,client_credentials",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=earmark_env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    made = json.loads(done.stdout)
    assert made["client_id"].startswith("ec_") and made["client_secret"].startswith("ecs_")
    with db.connect("owner") as conn:
        row = conn.execute(
            "select secret_hash, redirect_uris, scopes, grant_types from app.oauth_clients "
            "where client_id = %s",
            [made["client_id"]],
        ).fetchone()
    assert row == (
        oauth.secret_hash(made["client_secret"]),
        [REDIRECT, REDIRECT + "2"],
        ["attribution:read", "catalog:write"],
        ["authorization_code", "refresh_token", "client_credentials"],
    )
    public = subprocess.run(
        [
            earmark,
            "oauth",
            "clients",
            "create",
            "--tenant",
            str(tenant.id),
            "--name",
            "SPA",
            "--redirect-uri",
            REDIRECT,
            "--public",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=earmark_env,
        timeout=120,
    )
    assert set(json.loads(public.stdout)) == {"client_id"}
    refused = subprocess.run(
        [
            earmark,
            "oauth",
            "clients",
            "create",
            "--tenant",
            str(tenant.id),
            "--name",
            "X",
            "--redirect-uri",
            "http://example.com/cb",
        ],
        capture_output=True,
        text=True,
        env=earmark_env,
        timeout=120,
    )
    assert refused.returncode == 1 and "uses http; use https" in refused.stderr


def test_the_consent_page_cannot_be_framed(browser, setup):
    _, user, client, _, _ = setup
    sign_in(browser, user.email, PASSWORD)
    consent = browser.get("/oauth/authorize", params=authorize_params(client.client_id, pkce()[1]))
    assert consent.status_code == 200
    assert consent.headers["content-security-policy"] == "frame-ancestors 'none'"
    assert consent.headers["x-frame-options"] == "DENY"
