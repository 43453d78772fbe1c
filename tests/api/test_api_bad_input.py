"""Bad input is a 4xx, always: every string parameter of every route, NUL and bytes that are not UTF-8.

The routes and their string parameters are read from the live OpenAPI document, so a new route or
parameter is covered without editing this file.
"""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import ApiSettings
from earmark import credentials, db
from earmark.identity import sessions, users

NUL_IN_URL, NOT_UTF8_IN_URL = "a%00b", "a%FFb"
# JSON carries NUL and a byte that was not UTF-8 (a lone surrogate, Python's surrogateescape) as escapes.
NUL_IN_JSON, NOT_UTF8_IN_JSON = '"a\\u0000b"', '"a\\udcffb"'


def _is_string(schema: dict, components: dict) -> bool:
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    if schema.get("type") == "string" or "enum" in schema:
        return True
    if schema.get("type") == "array":
        return _is_string(schema.get("items", {}), components)
    return any(_is_string(option, components) for option in schema.get("anyOf", []))


def _string_inputs(openapi: dict) -> list[tuple[str, str, str, str]]:
    """(method, path, where, name) for every string a client can send: path, query and body fields."""
    components = openapi["components"]["schemas"]
    found = []
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] in ("path", "query") and _is_string(parameter["schema"], components):
                    found.append((method, path, parameter["in"], parameter["name"]))
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                model = components[body["schema"]["$ref"].rsplit("/", 1)[-1]]
                for name, schema in model["properties"].items():
                    if _is_string(schema, components):
                        found.append((method, path, "body", name))
    return found


@pytest.fixture
def callers(make_key, make_tenant):
    """Headers for each kind of caller: a tenant key, a platform key, and a signed-in person (the /me
    routes take the session cookie and, for changes, its CSRF token)."""
    made = make_tenant("enterprise")
    tenant = make_key(made, list(credentials.TENANT_SCOPES))
    platform = make_key(None)
    with db.connect("owner") as conn:
        person = users.create_user(conn, made.id, f"bad-input-{uuid.uuid4().hex[:8]}@example.com", "viewer",
                                   "a long and private passphrase")
    with TestClient(create_app(api_settings=ApiSettings()), base_url="https://testserver",
                    follow_redirects=False) as browser:
        form = browser.get("/login")
        csrf = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', form.text).group(1)
        browser.post("/login", data={"email": person.email, "password": "a long and private passphrase",
                                     "csrf_token": csrf})
        token = browser.cookies.get("__Host-earmark_session")
    signed_in = {"Cookie": f"__Host-earmark_session={token}", "X-CSRF-Token": sessions.csrf_token(token)}
    return tenant.headers, platform.headers, signed_in


def _fill(path: str, skip: str | None) -> str:
    """The path with a well-formed value in every parameter but `skip` (a date where the parameter is
    one, a uuid, which every id parameter takes, elsewhere)."""
    def value(found: re.Match) -> str:
        name = found.group(1)
        if name == skip:
            return found.group(0)
        return "2026-01-01" if name == "day" else str(uuid.uuid4())

    return re.sub(r"\{(\w+)\}", value, path)


def test_every_string_parameter_refuses_nul_and_bytes_that_are_not_utf8(client, callers):
    openapi = client.get("/openapi.json").json()
    inputs = _string_inputs(openapi)
    # The inventory the test walks: a route that loses its parameters from the schema shows up here.
    assert {(where, name) for _, _, where, name in inputs} >= {
        ("query", "model"), ("query", "start"), ("query", "end"), ("query", "starting_after"),
        ("path", "conversion_event_id"), ("path", "key_id"), ("path", "tenant_id"), ("body", "name"),
        ("body", "scopes"), ("body", "tier"), ("body", "status"), ("query", "kind"), ("query", "position"),
        ("query", "advertiser_id"), ("query", "episode_id"), ("path", "episode_id"),
        ("query", "mode")}
    tenant, platform, person = callers
    checked = 0
    for method, path, where, name in inputs:
        caller = platform if path.startswith("/api/v1/tenants") else person if path.startswith(
            "/api/v1/me") else tenant
        for url_value, json_value in ((NUL_IN_URL, NUL_IN_JSON), (NOT_UTF8_IN_URL, NOT_UTF8_IN_JSON)):
            url, content = _fill(path, name if where == "path" else None), None
            if where == "path":
                url = url.replace("{" + name + "}", url_value)
            elif where == "query":
                url = f"{url}?{name}={url_value}"
            else:
                value = f"[{json_value}]" if name == "scopes" else json_value
                content = f'{{"{name}": {value}}}'.encode()
            answer = client.request(method.upper(), url, content=content, headers={
                **caller, "Content-Type": "application/json"})
            label = (method, path, where, name, url_value)
            assert answer.status_code == 422, (label, answer.text)
            problem = answer.json()
            assert problem["type"] == "https://earmark.dev/problems/validation-error", label
            # Named (other required fields of a body may be missing too: those are named as well).
            assert [where, name] in [error["loc"][:2] for error in problem["errors"]], (label, problem)
            checked += 1
    assert checked == 2 * len(inputs) >= 26


def test_a_forged_or_foreign_cursor_is_a_422_and_never_a_query(client, make_key, attribution_tenants):
    caller = make_key(attribution_tenants.a)
    page = client.get("/api/v1/attribution/conversions", params={"limit": 2}, headers=caller.headers).json()
    cursor = page["next_cursor"]
    body, _, signature = cursor.partition(".")
    tampered = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + signature
    for forged in (tampered, body, "order-17", "x." + signature, cursor + "A", "..", "=.="):
        for path in ("/api/v1/attribution/conversions", "/api/v1/attribution/paths"):
            answer = client.get(path, params={"starting_after": forged}, headers=caller.headers)
            assert answer.status_code == 422, (forged, answer.text)
            assert answer.json()["errors"][0]["loc"] == ["query", "starting_after"]
    # The real cursor continues where the first page ended, on both routes.
    following = client.get("/api/v1/attribution/conversions", params={"limit": 2, "starting_after": cursor},
                           headers=caller.headers).json()["data"]
    paths = client.get("/api/v1/attribution/paths", params={"limit": 2, "starting_after": cursor},
                       headers=caller.headers).json()["data"]
    assert [c["conversion_event_id"] for c in following] == [p["conversion_event_id"] for p in paths]
    assert following[0]["converted_at"] >= page["data"][-1]["converted_at"]
    first_ids = {c["conversion_event_id"] for c in page["data"]}
    assert not {c["conversion_event_id"] for c in following} & first_ids


def test_oversized_urls_and_bodies_are_refused_before_they_are_read(client, make_key, make_tenant):
    caller = make_key(make_tenant(), ["attribution:read", "keys:admin"])
    long_url = client.get("/api/v1/attribution/conversions/" + "x" * 17_000, headers=caller.headers)
    assert long_url.status_code == 414 and long_url.json()["type"].endswith("/uri-too-long")
    big = client.post("/api/v1/keys", content=b'{"name": "' + b"x" * 1_100_000 + b'"}',
                      headers={**caller.headers, "Content-Type": "application/json"})
    assert big.status_code == 413 and big.json()["type"].endswith("/payload-too-large")

    def chunks():  # no Content-Length: counted as it arrives
        yield b'{"name": "'
        for _ in range(20):
            yield b"x" * 100_000
        yield b'"}'

    chunked = client.post("/api/v1/keys", content=chunks(),
                          headers={**caller.headers, "Content-Type": "application/json"})
    assert chunked.status_code == 413
    # Within the bounds, the same kind of request is judged on its content.
    ok = client.post("/api/v1/keys", json={"name": "x" * 200}, headers=caller.headers)
    assert ok.status_code == 201 and ok.json()["name"] == "x" * 200


def test_bytes_that_are_not_utf8_with_a_trailing_slash_are_a_4xx(client, callers):
    """No slash redirect: it would have to re-quote a path holding lone surrogates (a 500)."""
    tenant, platform, _ = callers
    for path, caller in (("/api/v1/attribution/conversions/%FF/", tenant), ("/api/v1/keys/%FF/", tenant),
                         ("/api/v1/tenants/%FF/", platform), ("/api/v1/keys/", tenant)):
        answer = client.get(path, headers=caller, follow_redirects=False)
        assert answer.status_code == 404, (path, answer.status_code, answer.text[:200])
        assert answer.json()["instance"] == path
