"""GCRA rate limits (exact under concurrency) and monthly request quotas."""

import asyncio
import importlib
import json
import pkgutil
from datetime import UTC, datetime, timedelta

import psycopg

from api import ratelimit
from api.database import query
from earmark import credentials, db
from earmark.households import lift
from earmark.privacy import processing

# The free tier's 600/min scaled to 6/min with a burst of one: the token comes back after 10 s, not 100 ms,
# so a slow request (a 1 MB body on a busy machine) cannot refill the burst before the next one.
ONE_TOKEN = {"burst_seconds": 10, "rate_limit_scale": 0.01}


def test_eight_racing_clients_against_a_burst_of_20_get_exactly_20(database, make_tenant):
    tenant = make_tenant()
    key_id = tenant.id  # any uuid names the key bucket
    # One request per hour refills nothing during the race; only the burst counts.
    bucket = ratelimit.Bucket(per_minute=1 / 60, burst=20)

    async def client(conn: psycopg.AsyncConnection) -> int:
        admitted = 0
        for _ in range(5):
            decision = await ratelimit.take(conn, tenant.id, key_id, bucket, bucket)
            admitted += decision.allowed
        return admitted

    async def race() -> list[int]:
        conns = [await psycopg.AsyncConnection.connect(db.url("api"), autocommit=True) for _ in range(8)]
        try:
            return await asyncio.gather(*(client(c) for c in conns))
        finally:
            for conn in conns:
                await conn.close()

    admitted = asyncio.run(race())
    assert sum(admitted) == 20


def test_over_the_limit_is_429_with_retry_after(make_client, make_tenant, make_key):
    client = make_client(**ONE_TOKEN)  # free tier: a burst of one
    caller = make_key(make_tenant("free"))
    first = client.get("/api/v1/quotas", headers=caller.headers)
    assert first.status_code == 200 and first.headers["x-ratelimit-limit"] == "1"
    second = client.get("/api/v1/quotas", headers=caller.headers)
    assert second.status_code == 429
    assert second.json()["type"].endswith("/rate-limited")
    assert int(second.headers["retry-after"]) >= 1


def test_a_read_refused_by_the_limiter_in_its_one_message_is_429_and_not_counted(make_client, make_tenant,
                                                                                 make_key):
    client = make_client(**ONE_TOKEN)  # free tier: a burst of one
    tenant = make_tenant("free")
    caller = make_key(tenant)
    first = client.get("/api/v1/settings", headers=caller.headers)  # limiter rides in the read's message
    assert first.status_code == 200 and first.json()["lookback_days"] == 30
    second = client.get("/api/v1/settings", headers=caller.headers)
    assert second.status_code == 429 and second.json()["type"].endswith("/rate-limited")
    assert int(second.headers["retry-after"]) >= 1
    assert "lookback_days" not in second.json()  # the speculative read was thrown away
    usage = client.app.state.services.usage
    assert usage.month_total(tenant.id) == 1  # only the admitted request counts


def test_the_monthly_request_quota_is_enforced(client, make_tenant, make_key):
    tenant = make_tenant("free")
    caller = make_key(tenant)
    with db.connect("owner") as conn:
        conn.execute(
            "insert into app.tenant_usage (tenant_id, period_start, api_requests) values (%s, %s, %s)",
            [tenant.id, datetime.now(UTC).date().replace(day=1), 1_000_000])
        conn.commit()
    answer = client.get("/api/v1/quotas", headers=caller.headers)
    assert answer.status_code == 429
    problem = answer.json()
    assert problem["type"].endswith("/quota-exceeded")
    assert (problem["quota"], problem["limit"]) == ("api_requests_per_month", 1_000_000)
    assert int(answer.headers["retry-after"]) > 0


def test_a_request_refused_by_the_tenant_bucket_costs_its_key_nothing(database, make_tenant):
    tenant = make_tenant()
    key_id = tenant.id
    hourly = timedelta(hours=1)
    key = ratelimit.Bucket(per_minute=1 / 60, burst=10)
    tenant_bucket = ratelimit.Bucket(per_minute=1 / 60, burst=2)

    async def three() -> list[bool]:
        async with await psycopg.AsyncConnection.connect(db.url("api"), autocommit=True) as conn:
            taken = [await ratelimit.take(conn, tenant.id, key_id, key, tenant_bucket) for _ in range(3)]
        return [decision.allowed for decision in taken]

    assert asyncio.run(three()) == [True, True, False]
    with db.connect("owner") as conn:
        left = dict(conn.execute(
            "select bucket, tat - now() from app.rate_limits where tenant_id = %s", [tenant.id]).fetchall())
    # Two admitted requests pushed each bucket two intervals ahead; the refused third pushed neither.
    for bucket in (f"key:{key_id}", "tenant"):
        assert 2 * hourly - timedelta(minutes=1) < left[bucket] <= 2 * hourly, bucket


# Every tenant route, with a request it answers with 2xx; {conversion} and {key} are filled in below.
# One row of each catalog kind, in dependency order, for the catalog's routes below.
CATALOG_ROWS = {
    "advertisers": {"advertiser_id": "lim-a", "name": "A"},
    "shows": {"show_id": "lim-s", "title": "S"},
    "episodes": {"episode_id": "lim-e", "show_id": "lim-s", "bytes_total": 1000},
    "campaigns": {"campaign_id": "lim-c", "advertiser_id": "lim-a", "name": "C", "starts_on": "2026-09-01",
                  "ends_on": "2026-09-02", "currency": "USD"},
    "placements": {"placement_id": "lim-p", "campaign_id": "lim-c", "show_id": "lim-s", "slot": "mid",
                   "kind": "host_read", "pricing": "cpm", "rate": 10},
    "ad_slots": {"ad_id": "lim-ad", "episode_id": "lim-e", "kind": "dai", "start_byte": 0, "end_byte": 9},
    "promo_codes": {"code": "LIM1", "campaign_id": "lim-c"},
    "vanity_urls": {"url": "lim.example/x", "campaign_id": "lim-c"},
    "deliveries": {"placement_id": "lim-p", "day": "2026-09-01", "impressions": 5},
}


def _catalog_routes() -> dict:
    """Create, list, get and replace each kind in dependency order, then delete them in reverse."""
    from earmark.catalog.entities import SPECS

    routes, deletes = {}, {}
    for kind, row in CATALOG_ROWS.items():
        spec = SPECS[kind]
        item = f"/catalog/{kind}" + "".join(f"/{{{c}:rest}}" if c == "url" else f"/{{{c}}}" for c in spec.key)
        url = f"/catalog/{kind}/" + "/".join(str(row[c]) for c in spec.key)
        fields = {k: v for k, v in row.items() if k not in spec.key}
        routes[("POST", f"/catalog/{kind}")] = {"json": row}
        routes[("GET", f"/catalog/{kind}")] = {"params": {"limit": 1}}
        routes[("GET", item)] = {"url": url}
        routes[("PUT", item)] = {"url": url, "json": fields}
        deletes[("DELETE", item)] = {"url": url}
    return {**routes, **dict(reversed(deletes.items()))}


TENANT_ROUTES = {
    ("GET", "/attribution/channels"): {"params": {"model": "first_touch"}},
    ("GET", "/attribution/shows"): {},
    ("GET", "/attribution/campaigns"): {},
    ("GET", "/attribution/models"): {},
    ("GET", "/attribution/conversions"): {"params": {"limit": 1}},
    ("GET", "/attribution/paths"): {"params": {"limit": 1}},
    ("GET", "/attribution/conversions/{conversion_event_id}"): {},
    ("GET", "/economics/campaigns"): {},
    ("GET", "/economics/shows"): {"params": {"start": "2026-01-01"}},
    ("GET", "/downloads/episodes"): {"params": {"mode": "rolling"}},
    ("GET", "/downloads/shows"): {},
    ("GET", "/downloads/ads"): {"params": {"start": "2026-01-01", "end": "2026-12-31"}},
    ("GET", "/downloads/exclusions"): {"params": {"mode": "fixed"}},
    ("GET", "/cost"): {"params": {"month": "2026-12"}},
    ("PUT", "/cost/budget"): {"json": {"monthly_amount": 250}},
    ("GET", "/settings"): {},
    ("PATCH", "/settings"): {"json": {"lookback_days": 30}},
    ("GET", "/usage"): {},
    ("GET", "/quotas"): {},
    ("POST", "/keys"): {"json": {"name": "limited", "scopes": ["attribution:read"]}},
    ("GET", "/keys"): {},
    ("DELETE", "/keys/{key_id}"): {},
    ("GET", "/users"): {},
    ("POST", "/users"): {"json": {"email": "limits@example.com", "role": "viewer",
                                  "password": "a limit on every route"}},
    ("PATCH", "/users/{user_id}"): {"json": {"role": "analyst"}},
    ("GET", "/security/events"): {"params": {"limit": 1}},
    ("GET", "/audit"): {"params": {"limit": 1, "action": "key_created"}},
    ("POST", "/privacy/requests"): {"json": {"type": "access", "subject": "u-limits"}},
    ("GET", "/privacy/requests"): {},
    ("GET", "/privacy/requests/{request_id}"): {},
    ("GET", "/privacy/requests/{request_id}/export"): {},
    ("GET", "/households/metrics"): {"params": {"start": "2026-01-01"}},
    ("GET", "/lift/campaigns/{campaign_id}"): {"url": "/lift/campaigns/c-limits"},
    ("GET", "/ai/ad-reads"): {"params": {"limit": 1, "min_confidence": 0.5}},
    ("GET", "/ai/episodes/{episode_id}"): {},
    ("GET", "/ai/anomalies"): {"params": {"limit": 5, "kind": "spike"}},
    ("GET", "/ai/forecasts"): {"params": {"metric": "conversions"}},
    ("GET", "/ai/predictions"): {},
    ("GET", "/ai/recommendations"): {"params": {"kind": "budget_shift"}},
    **_catalog_routes(),
}


def test_every_tenant_route_passes_the_rate_limiter(attribution_tenants, make_key, make_client):
    """A route that forgot the limiter would answer without X-RateLimit-* headers (and uncounted)."""
    import api.routers
    from api.deps import TenantKey

    modules = [importlib.import_module(f"api.routers.{found.name}")
               for found in pkgutil.iter_modules(api.routers.__path__)]
    declared = {(method, route.path) for module in modules
                for route in module.router.routes for method in route.methods
                if any(isinstance(dep.call, TenantKey) for dep in route.dependant.dependencies)}
    assert declared == set(TENANT_ROUTES), "a new tenant route needs an entry in TENANT_ROUTES"

    client = make_client(burst_seconds=60)  # enterprise tier: the burst is a minute of its rate
    caller = make_key(attribution_tenants.a, list(credentials.TENANT_SCOPES))
    burst = ratelimit.tier_bucket("enterprise", 60).burst
    conversion = client.get("/api/v1/attribution/conversions", params={"limit": 1},
                            headers=caller.headers).json()["data"][0]["conversion_event_id"]
    spare_key = client.post("/api/v1/keys", json={"name": "spare"}, headers=caller.headers).json()["id"]
    spare_user = client.post("/api/v1/users", headers=caller.headers, json={
        "email": "spare@example.com", "role": "viewer", "password": "spare user of the limits test"}
    ).json()["id"]
    # an access request whose export is ready (the privacy job's first phase, run here directly)
    spare_request = client.post("/api/v1/privacy/requests", headers=caller.headers,
                                json={"type": "access", "subject": "u-spare"}).json()["id"]
    with db.connect("owner") as conn:
        assert processing.delete_phase(conn, str(attribution_tenants.a.id), spare_request) == "completed"
        stored = lift.lift([0, 0, 1, 1] * 10, [True, False] * 20, [1, 0, 0, 0] * 10).as_json()
        conn.execute("insert into households.lift_results (tenant_id, as_of, campaign_id, metric, result) "
                     "values (%s, '2026-11-30', 'c-limits', 'visits', %s)",
                     [attribution_tenants.a.id, json.dumps(stored)])
    usage = client.app.state.services.usage
    counted = usage.month_total(attribution_tenants.a.id)
    for (method, path), route in TENANT_ROUTES.items():
        request = dict(route)
        url = "/api/v1" + request.pop("url", path).format(conversion_event_id=conversion, key_id=spare_key,
                                                              user_id=spare_user, request_id=spare_request,
                                                              episode_id=attribution_tenants.ai_episode_id)
        answer = client.request(method, url, headers=caller.headers, **request)
        assert answer.status_code < 300, (method, path, answer.text)
        assert answer.headers["x-ratelimit-limit"] == str(burst), (method, path)
        assert int(answer.headers["x-ratelimit-remaining"]) < burst, (method, path)
    # Admitted means counted against the month's request quota, once per request.
    assert usage.month_total(attribution_tenants.a.id) == counted + len(TENANT_ROUTES)


def test_after_the_burst_every_answer_is_a_429_whatever_the_route_would_have_said(make_client, make_tenant,
                                                                                  make_key):
    """Limits first: errors pass the limiter like successes, so probing with bad requests is limited too."""
    client = make_client(**ONE_TOKEN)  # free tier: a burst of one
    caller = make_key(make_tenant("free"), ["attribution:read"])
    assert client.get("/api/v1/quotas", headers=caller.headers).status_code == 200
    json_headers = {**caller.headers, "Content-Type": "application/json"}
    for method, path, extra in (
        ("GET", "/api/v1/attribution/conversions/no-such-order", {}),  # would be 404
        ("GET", "/api/v1/attribution/channels?model=nope", {}),  # would be 422
        ("GET", "/api/v1/attribution/channels?modle=linear", {}),  # unknown parameter, 422
        ("GET", "/api/v1/attribution/paths?starting_after=forged", {}),  # forged cursor, 422
        ("PATCH", "/api/v1/settings", {"content": b"{not json", "headers": json_headers}),  # body first
        ("GET", "/api/v1/keys", {}),  # would be 403: the key lacks keys:admin
    ):
        answer = client.request(method, path, **{"headers": caller.headers, **extra})
        assert answer.status_code == 429, (path, answer.text)
        assert answer.json()["type"].endswith("/rate-limited")
        assert int(answer.headers["retry-after"]) >= 1


def test_errors_before_the_burst_count_and_carry_the_limit_headers(make_client, make_tenant, make_key):
    client = make_client()
    tenant = make_tenant("free")
    caller = make_key(tenant)
    answer = client.get("/api/v1/attribution/conversions/no-such-order", headers=caller.headers)
    assert answer.status_code == 404
    assert answer.headers["x-ratelimit-limit"] == "100"
    invalid = client.get("/api/v1/attribution/channels", params={"model": "nope"}, headers=caller.headers)
    assert invalid.status_code == 422 and invalid.headers["x-ratelimit-remaining"] == "98"
    assert client.app.state.services.usage.month_total(tenant.id) == 2


def test_a_refused_read_sees_no_tenant_data(database, make_tenant):
    """At the head of a one-message read, a refusal clears the transaction's tenant: the read that follows
    in the same message sees none of the tenant's rows (and the refusal logs no error on the server)."""
    tenant = make_tenant("free")
    bucket = ratelimit.Bucket(per_minute=1 / 60, burst=1)
    params = {"tenant_id": tenant.id, **ratelimit.params(tenant.id, tenant.id, bucket, bucket)}
    admit = query("rate_limit_admit")

    def read_after_limiter(conn: psycopg.Connection) -> tuple[bool, int, str]:
        with conn.transaction():
            conn.execute("select set_config('app.tenant_id', %s, true)", [str(tenant.id)])
            allowed = conn.execute(admit, params).fetchone()[0]
            seen = conn.execute("select count(*) from app.tenant_settings").fetchone()[0]
            setting = conn.execute("select current_setting('app.tenant_id', true)").fetchone()[0]
        return allowed, seen, setting

    with psycopg.connect(db.url("api"), autocommit=True) as conn:
        assert read_after_limiter(conn) == (True, 1, str(tenant.id))  # admitted: its settings row
        assert read_after_limiter(conn) == (False, 0, "")  # burst spent: nothing of the tenant's


def test_a_database_that_cannot_be_reached_is_a_503_with_retry_after(database, tmp_path, make_tenant,
                                                                    make_key):
    from fastapi.testclient import TestClient

    from api.main import create_app
    from api.settings import ApiSettings

    caller = make_key(make_tenant())
    app = create_app(api_settings=ApiSettings(pool_timeout_seconds=1),
                     conninfo=f"postgresql://earmark_api@/earmark?host={tmp_path}&connect_timeout=1")
    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/api/v1/attribution/channels", headers=caller.headers)
    assert answer.status_code == 503
    assert answer.json()["type"].endswith("/database-unavailable")
    assert answer.headers["retry-after"] == "5"


def test_after_the_burst_even_a_malformed_request_is_a_429(make_client, make_tenant, make_key):
    """The wire's own refusals (bytes that are not UTF-8, an oversized URL or body) pass the limiter too."""
    client = make_client(**ONE_TOKEN)  # free tier: a burst of one
    caller = make_key(make_tenant("free"), ["attribution:read", "keys:admin"])
    first = client.get("/api/v1/attribution/channels?model=%FF", headers=caller.headers)
    assert first.status_code == 422 and first.json()["errors"][0]["loc"] == ["query", "model"]
    assert first.headers["x-ratelimit-limit"] == "1"  # it was counted
    json_headers = {**caller.headers, "Content-Type": "application/json"}
    for answer in (client.get("/api/v1/attribution/channels?model=%FF", headers=caller.headers),
                   client.get("/api/v1/attribution/conversions/" + "x" * 17_000, headers=caller.headers),
                   client.post("/api/v1/keys", content=b'{"name": "' + b"x" * 1_100_000 + b'"}',
                               headers=json_headers)):
        assert answer.status_code == 429, answer.text[:300]
        assert int(answer.headers["retry-after"]) >= 1
