"""What the wire accepts, as the OpenAPI schema promises: strict dates and numbers, 405 with Allow."""

from datetime import UTC, datetime, timedelta


def test_dates_must_be_iso_dates(client, make_tenant, make_key):
    caller = make_key(make_tenant())
    for value in ("0", "1700000000", "2026-13-01", "2026-1-5", "2026-01-01T00:00:00Z"):
        answer = client.get("/api/v1/attribution/channels", params={"start": value}, headers=caller.headers)
        assert answer.status_code == 422, value
        assert answer.json()["type"].endswith("/validation-error")
        assert answer.json()["errors"][0]["loc"] == ["query", "start"]


def test_an_end_before_the_start_is_an_empty_window(client, attribution_tenants, make_key):
    caller = make_key(attribution_tenants.a)
    answer = client.get("/api/v1/attribution/channels",
                        params={"model": "linear", "start": "2026-09-01", "end": "2026-08-01"},
                        headers=caller.headers)
    assert answer.status_code == 200
    body = answer.json()
    assert datetime.fromisoformat(body.pop("computed_at")) > datetime.now(UTC) - timedelta(days=1)
    assert body == {"model": "linear", "start": "2026-09-01", "end": "2026-08-01", "rows": []}


def test_settings_take_json_numbers_only(client, make_tenant, make_key):
    writer = make_key(make_tenant(), ["attribution:read", "settings:write"])
    # 45.0 is an integer in JSON Schema's sense; "45" and true are not numbers.
    answer = client.patch("/api/v1/settings", json={"lookback_days": 45.0}, headers=writer.headers)
    assert answer.status_code == 200 and answer.json()["lookback_days"] == 45
    for body in ({"lookback_days": "45"}, {"lookback_days": True}, {"position_first_weight": "0.1"},
                 {"lookback_days": 45.5}):
        answer = client.patch("/api/v1/settings", json=body, headers=writer.headers)
        assert answer.status_code == 422, body


def test_405_lists_every_method_of_the_path(client, make_tenant, make_key):
    caller = make_key(make_tenant(), ["attribution:read", "keys:admin"])
    for method, path, allow in (("PUT", "/api/v1/keys", "GET, POST"),
                                ("GET", "/api/v1/keys/6cae70ee-6714-4af6-ac98-525a0bbb3bf1", "DELETE"),
                                ("POST", "/healthz", "GET"),
                                ("DELETE", "/api/v1/settings", "GET, PATCH")):
        answer = client.request(method, path, headers=caller.headers)
        assert answer.status_code == 405, (method, path)
        assert answer.headers["allow"] == allow
        assert answer.json()["type"].endswith("/method-not-allowed")


def test_a_body_that_is_not_even_text_is_a_400_problem(client, make_tenant, make_key):
    writer = make_key(make_tenant(), ["attribution:read", "settings:write"])
    headers = {**writer.headers, "Content-Type": "application/json"}
    answer = client.patch("/api/v1/settings", content=b"\xff\xfe{", headers=headers)
    assert answer.status_code == 400
    assert answer.json()["type"].endswith("/malformed-body")
    # Text that is not JSON is a validation error, like any other body that breaks the schema.
    answer = client.patch("/api/v1/settings", content=b"{not json", headers=headers)
    assert answer.status_code == 422 and answer.json()["type"].endswith("/validation-error")


def test_a_key_created_with_a_past_expiry_is_already_expired(client, make_tenant, make_key):
    admin = make_key(make_tenant(), ["attribution:read", "keys:admin"])
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    created = client.post("/api/v1/keys", json={"expires_at": past}, headers=admin.headers)
    assert created.status_code == 201
    assert datetime.fromisoformat(created.json()["expires_at"]) < datetime.now(UTC)
    answer = client.get("/api/v1/settings", headers={"Authorization": f"Bearer {created.json()['key']}"})
    assert answer.status_code == 401 and "expired" in answer.json()["detail"]
    for stamp in ("2027-01-01T00:00:00", "2027-01-01", 1800000000):  # no zone, no time, a number
        answer = client.post("/api/v1/keys", json={"expires_at": stamp}, headers=admin.headers)
        assert answer.status_code == 422, stamp


def test_a_half_life_too_short_for_the_lookback_is_refused(client, make_tenant, make_key):
    """2^-(lookback / half-life) must stay a double: schemathesis once broke every tenant's build with
    half-life 1e-300."""
    writer = make_key(make_tenant(), ["attribution:read", "settings:write"])
    for body in ({"time_decay_half_life_days": 1e-300},
                 {"lookback_days": 365, "time_decay_half_life_days": 0.3}):
        answer = client.patch("/api/v1/settings", json=body, headers=writer.headers)
        assert answer.status_code == 422, body
        assert "half-lives" in answer.json()["detail"]
    ok = client.patch("/api/v1/settings", json={"lookback_days": 365, "time_decay_half_life_days": 0.365},
                      headers=writer.headers)
    assert ok.status_code == 200 and ok.json()["time_decay_half_life_days"] == 0.365
    shortened = client.patch("/api/v1/settings", json={"lookback_days": 400}, headers=writer.headers)
    assert shortened.status_code == 422  # the lookback's own bound (1..365) still holds


def test_the_openapi_document_is_the_whole_inventory(client):
    """OWASP API9: every route that answers is documented, with its errors, and nothing else answers."""
    import importlib
    import pkgutil

    import api.routers

    openapi = client.get("/openapi.json").json()
    documented = {(method.upper(), path) for path, operations in openapi["paths"].items()
                  for method in operations}
    served = set()
    for found in pkgutil.iter_modules(api.routers.__path__):
        module = importlib.import_module(f"api.routers.{found.name}")
        prefix = "" if found.name in ("health", "signin", "signin_mfa", "oauth") else "/api/v1"
        # a path convertor ({url:rest}) is the router's detail; OpenAPI names the parameter alone
        served |= {(method, prefix + route.path.replace(":rest}", "}")) for route in module.router.routes
                   for method in route.methods}
    # 18 before the catalog; it adds attribution/shows, two economics routes and 5 routes per entity;
    # identity adds users (GET, POST, PATCH), security events, four sign-in pages, four MFA pages, five
    # /me routes and six of the OAuth server (metadata, authorize GET and POST, token, revoke, introspect);
    # AI adds the ad reads and an episode's analysis; downloads its episodes, shows, ads and exclusions; cost
    # a tenant's report and its budget; insights their anomalies, forecasts, predictions and recommendations;
    # privacy the audit log and data-subject requests (create, list, one, its export); households their
    # metrics and a campaign's lift
    assert served == documented
    assert len(documented) == 18 + 3 + 5 * 9 + 3 + 1 + 4 + 4 + 5 + 6 + 2 + 4 + 2 + 4 + 1 + 4 + 2
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            assert {"413", "414"} <= set(operation["responses"]), (method, path)
            # Every route with a credential documents 401; the health check, the OAuth metadata and the
            # authorization endpoint (which sends a signed-out user to /login) take none.
            if path not in ("/healthz", "/.well-known/oauth-authorization-server", "/oauth/authorize"):
                assert "401" in operation["responses"], (method, path)
            if path not in ("/healthz", "/.well-known/oauth-authorization-server"):
                assert "422" in operation["responses"], (method, path)
    assert client.get("/api/v2/attribution/channels").status_code == 404
    assert client.get("/api/v1/internal/debug").status_code == 404
