"""Two tenants, same user and event ids, different journeys: no answer to one holds the other's values.

The marts are built by the real dbt project (conftest.attribution_tenants); the app has a pool of one
connection, so tenant A and tenant B are served on the very same Postgres session in turn.
"""

import json

import pytest

from api.routers.attribution import MODELS

ENDPOINTS = ["/api/v1/attribution/channels?model=linear", "/api/v1/attribution/campaigns?model=time_decay",
             "/api/v1/attribution/models", "/api/v1/attribution/conversions?limit=500",
             "/api/v1/attribution/paths?model=position_based&limit=500",
             "/api/v1/attribution/channels?model=first_touch&start=2026-08-01&end=2026-12-31",
             "/api/v1/settings", "/api/v1/usage", "/api/v1/keys", "/api/v1/ai/ad-reads?limit=500",
             "/api/v1/ai/ad-reads?kind=host_read&position=mid&min_confidence=0.5",
             "/api/v1/ai/episodes/{ai_episode_id}"]


@pytest.fixture(params=["key", "oauth_token"])
def pair(request, attribution_tenants, make_key, make_token, make_client):
    """Every test here runs with API keys and again with OAuth access tokens (issue 11)."""
    scopes = ["attribution:read", "keys:admin", "settings:write"]
    make = make_key if request.param == "key" else make_token
    a, b = make(attribution_tenants.a, scopes), make(attribution_tenants.b, scopes)
    client = make_client(pool_min_size=1, pool_max_size=1)
    # B's settings differ from A's, so a leak would show in /settings too.
    client.patch("/api/v1/settings", json={"lookback_days": 77}, headers=b.headers)
    return client, a, b, attribution_tenants


def _all_conversions(client, caller, path="/api/v1/attribution/conversions"):
    found, after = [], None
    while True:
        params = {"limit": 100, **({"starting_after": after} if after else {})}
        page = client.get(path, params=params, headers=caller.headers).json()
        found += page["data"]
        if not page["has_more"]:
            assert page["next_cursor"] is None
            return found
        after = page["next_cursor"]


def test_every_endpoint_answers_a_only_with_a(pair):
    client, a, b, tenants = pair
    answers = {}
    for endpoint in ENDPOINTS:
        for caller in (a, b, a):  # interleaved on the one pooled connection
            # the same episode id for both tenants, each with a transcript and analysis of its own
            answer = client.get(endpoint.format(ai_episode_id=tenants.ai_episode_id), headers=caller.headers)
            assert answer.status_code == 200, (endpoint, answer.text)
            answers.setdefault(endpoint, {})[caller.key_id] = answer.json()
    for endpoint, by_key in answers.items():
        assert by_key[a.key_id] != by_key[b.key_id], endpoint
        assert b.key_id not in json.dumps(by_key[a.key_id]), endpoint
    assert answers["/api/v1/settings"][a.key_id]["lookback_days"] == 30
    assert answers["/api/v1/settings"][b.key_id]["lookback_days"] == 77


def test_credit_and_revenue_add_up_to_each_tenants_own_conversions(pair):
    client, a, b, tenants = pair
    for caller, conversions, revenue in ((a, tenants.conversions_a, tenants.revenue_a),
                                         (b, tenants.conversions_b, tenants.revenue_b)):
        comparison = client.get("/api/v1/attribution/models", headers=caller.headers).json()
        assert comparison["models"] == list(MODELS)
        for model in MODELS:
            rows = client.get("/api/v1/attribution/channels", params={"model": model},
                              headers=caller.headers).json()["rows"]
            assert sum(r["conversions"] for r in rows) == pytest.approx(conversions)
            assert sum(r["revenue"] for r in rows) == pytest.approx(revenue)
            assert sum(r["conversion_share"] for r in rows) == pytest.approx(1)
            side = sum(r["models"][model]["conversions"] for r in comparison["rows"])
            assert side == pytest.approx(conversions)
            campaigns = client.get("/api/v1/attribution/campaigns", params={"model": model},
                                   headers=caller.headers).json()["rows"]
            assert sum(r["revenue"] for r in campaigns) == pytest.approx(revenue)


def test_pages_walk_each_tenants_conversions_once_and_foreign_ids_are_404(pair):
    client, a, b, tenants = pair
    ids_a = [c["conversion_event_id"] for c in _all_conversions(client, a)]
    ids_b = [c["conversion_event_id"] for c in _all_conversions(client, b)]
    assert (len(ids_a), len(set(ids_a))) == (tenants.conversions_a, tenants.conversions_a)
    assert len(ids_b) == tenants.conversions_b
    only_b = sorted(set(ids_b) - set(ids_a))[0]
    # A cursor is bound to the tenant it was issued to: B's cursor on A's key is refused, not a query.
    b_cursor = client.get("/api/v1/attribution/conversions", params={"limit": 1},
                          headers=b.headers).json()["next_cursor"]
    refused = client.get("/api/v1/attribution/conversions", params={"starting_after": b_cursor},
                         headers=a.headers)
    assert refused.status_code == 422 and refused.json()["errors"][0]["loc"] == ["query", "starting_after"]
    assert client.get(f"/api/v1/attribution/conversions/{only_b}", headers=a.headers).status_code == 404
    detail = client.get(f"/api/v1/attribution/conversions/{only_b}", headers=b.headers).json()
    credited = [t for t in detail["touches"] if t["model"] == "linear"]
    assert sum(t["credit"] for t in credited) == pytest.approx(1)
    paths = client.get("/api/v1/attribution/paths", params={"model": "linear", "limit": 20},
                       headers=a.headers).json()
    for path in paths["data"]:
        assert sum(t["credit"] for t in path["touches"]) == pytest.approx(1)
        assert all(t["model"] == "linear" for t in path["touches"])
