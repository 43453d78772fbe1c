"""Who may call: Bearer keys only, scopes, expiry, revocation, problem details."""

import time
from datetime import UTC, datetime, timedelta

from earmark import db, keys

PROBLEM = "application/problem+json"


def test_healthz_needs_no_key_and_reports_the_database(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(database, tmp_path):
    from fastapi.testclient import TestClient

    from api.main import create_app

    app = create_app(conninfo=f"postgresql://earmark_api@/earmark?host={tmp_path}&connect_timeout=1")
    with TestClient(app) as client:
        answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["type"].endswith("/database-unavailable")


def test_missing_malformed_and_unknown_keys_are_401_problems(client, make_tenant, make_key):
    caller = make_key(make_tenant())
    typo = caller.secret[:-1] + ("x" if caller.secret[-1] != "x" else "y")
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": f"Bearer {typo}"},
                    {"Authorization": "Bearer ek_live_" + "a" * 36}):
        answer = client.get("/api/v1/settings", headers=headers)
        assert answer.status_code == 401, headers
        assert answer.headers["content-type"] == PROBLEM
        assert answer.json()["type"] == "https://earmark.dev/problems/unauthorized"
        assert answer.headers["www-authenticate"].startswith("Bearer")


def test_a_key_in_the_query_string_is_refused_even_with_a_good_header(client, make_tenant, make_key):
    caller = make_key(make_tenant())
    answer = client.get("/api/v1/settings", params={"api_key": caller.secret})
    assert answer.status_code == 401
    answer = client.get("/api/v1/settings", params={"x": caller.secret}, headers=caller.headers)
    assert answer.status_code == 401
    assert "Authorization: Bearer" in answer.json()["detail"]


def test_unknown_query_parameters_are_422(client, make_tenant, make_key):
    caller = make_key(make_tenant())
    answer = client.get("/api/v1/settings", params={"lookback": "3"}, headers=caller.headers)
    assert answer.status_code == 422
    assert answer.json()["type"].endswith("/validation-error")
    assert "lookback" in answer.json()["detail"]


def test_a_key_without_the_scope_is_403(client, make_tenant, make_key):
    caller = make_key(make_tenant(), ["attribution:read"])
    answer = client.patch("/api/v1/settings", json={"lookback_days": 10}, headers=caller.headers)
    assert answer.status_code == 403
    assert answer.json()["type"].endswith("/insufficient-scope")
    assert client.get("/api/v1/keys", headers=caller.headers).status_code == 403
    assert client.get("/api/v1/tenants", headers=caller.headers).status_code == 403


def test_an_expired_key_is_401(client, make_tenant, make_key):
    # Three seconds of life: on a loaded machine (the suite's own dbt and Postgres) the first request of a new
    # app took over the one second this test gave it. The second request waits only until the key expired.
    expires_at = datetime.now(UTC) + timedelta(seconds=3)
    caller = make_key(make_tenant(), expires_at=expires_at)
    assert client.get("/api/v1/settings", headers=caller.headers).status_code == 200
    time.sleep(max(0.0, (expires_at - datetime.now(UTC)).total_seconds()) + 0.2)
    answer = client.get("/api/v1/settings", headers=caller.headers)
    assert answer.status_code == 401
    assert "expired" in answer.json()["detail"]


def test_a_revoked_key_stops_working_within_the_cache_ttl(make_client, make_tenant, make_key):
    client = make_client(key_cache_seconds=1)
    caller = make_key(make_tenant())
    assert client.get("/api/v1/settings", headers=caller.headers).status_code == 200
    with db.connect("owner") as conn:
        revoked = keys.revoke(conn, caller.key_id)
    assert revoked.revoked_at is not None
    time.sleep(1.1)
    answer = client.get("/api/v1/settings", headers=caller.headers)
    assert answer.status_code == 401
    assert "revoked" in answer.json()["detail"]


def test_last_used_at_is_recorded_in_batches(make_client, make_tenant, make_key):
    client = make_client(usage_flush_seconds=0.2)
    caller = make_key(make_tenant())
    client.get("/api/v1/settings", headers=caller.headers)
    time.sleep(0.8)
    with db.connect("owner") as conn:
        (found,) = [k for k in keys.list_for_tenant(conn, caller.tenant.id) if str(k.id) == caller.key_id]
    assert found.last_used_at is not None


def test_the_key_cache_is_bounded_in_size_and_time(database, make_tenant, make_key):
    """Random well-formed keys must not grow a worker's memory: least recently used prefixes go first, and
    an unknown prefix is kept for seconds, a known one for the configured TTL."""
    import asyncio

    from psycopg_pool import AsyncConnectionPool

    from api.auth import UNKNOWN_PREFIX_SECONDS, KeyCache
    from earmark import credentials

    caller = make_key(make_tenant())
    known = credentials.lookup_prefix(caller.secret)

    async def run() -> tuple[int, bool, int, bool]:
        async with AsyncConnectionPool(db.url("api"), min_size=1, max_size=1,
                                       kwargs={"autocommit": True}) as pool:
            cache = KeyCache(ttl_seconds=30, max_entries=8)
            assert len(await cache.rows(pool, known)) == 1
            for _ in range(50):
                assert await cache.rows(pool, credentials.generate().prefix) == []
            size = len(cache)
            known_kept = known in cache._entries  # evicted: the 50 newer prefixes came after it
            short = KeyCache(ttl_seconds=0.2, max_entries=8)
            await short.rows(pool, known)
            await short.rows(pool, credentials.generate().prefix)
            await asyncio.sleep(0.3)
            short._entries.expire()
            return size, known_kept, len(short), UNKNOWN_PREFIX_SECONDS <= 60

    size, known_kept, after_ttl, sane = asyncio.run(run())
    assert size == 8 and not known_kept
    assert after_ttl == 0 and sane
