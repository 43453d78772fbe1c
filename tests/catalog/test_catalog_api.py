"""The catalog, spend and economics through the read API: CRUD with catalog:write, conflicts that name
the referring rows, keyset pages, tenant isolation, and the economics figures of test_economics.py."""

from __future__ import annotations

import pytest

WRITER = ["attribution:read", "catalog:write"]


@pytest.fixture
def writer(make_tenant, make_key):
    return make_key(make_tenant(), WRITER)


def test_create_read_replace_and_delete_a_show_and_its_episode(client, writer):
    h = writer.headers
    created = client.post("/api/v1/catalog/shows", json={"show_id": "s1", "title": "Show One",
                                                          "hosts": ["Ann"]}, headers=h)
    assert created.status_code == 201, created.text
    assert created.json() == {"show_id": "s1", "title": "Show One", "feed_url": None, "network": None,
                              "hosts": ["Ann"]}
    again = client.post("/api/v1/catalog/shows", json={"show_id": "s1", "title": "Other"}, headers=h)
    assert again.status_code == 409 and again.json()["type"].endswith("/conflict")
    assert "show 's1' exists already" in again.json()["detail"]

    replaced = client.put("/api/v1/catalog/shows/s1", json={"title": "Show One!", "network": "Net"},
                          headers=h)
    assert replaced.status_code == 200 and replaced.json()["network"] == "Net"
    assert client.get("/api/v1/catalog/shows/s1", headers=h).json()["title"] == "Show One!"

    unknown = client.post("/api/v1/catalog/episodes", json={"episode_id": "e1", "show_id": "s9"}, headers=h)
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == "Unknown show 's9'; import the shows first."
    episode = client.post("/api/v1/catalog/episodes", json={
        "episode_id": "e1", "show_id": "s1", "published_at": "2026-09-01T05:00:00Z", "bytes_total": 1000,
        "duration_s": 61.5}, headers=h)
    assert episode.status_code == 201 and episode.json()["duration_s"] == 61.5

    refused = client.delete("/api/v1/catalog/shows/s1", headers=h)
    assert refused.status_code == 409
    assert refused.json()["referrers"] == [{"kind": "episodes", "id": "e1"}]
    assert "referred to by episodes 'e1'" in refused.json()["detail"]
    assert client.delete("/api/v1/catalog/episodes/e1", headers=h).status_code == 204
    assert client.delete("/api/v1/catalog/shows/s1", headers=h).status_code == 204
    assert client.get("/api/v1/catalog/shows/s1", headers=h).status_code == 404
    assert client.delete("/api/v1/catalog/shows/s1", headers=h).status_code == 404


def test_field_rules_are_422s_that_name_the_field(client, writer):
    h = writer.headers
    client.post("/api/v1/catalog/advertisers", json={"advertiser_id": "a", "name": "A"}, headers=h)
    flight = client.post("/api/v1/catalog/campaigns", json={
        "campaign_id": "c", "advertiser_id": "a", "name": "C", "starts_on": "2026-09-10",
        "ends_on": "2026-09-01", "currency": "USD"}, headers=h)
    assert flight.status_code == 422 and "ends_on 2026-09-01 is before starts_on 2026-09-10" in flight.text
    text_number = client.post("/api/v1/catalog/campaigns", json={
        "campaign_id": "c", "advertiser_id": "a", "name": "C", "starts_on": "2026-09-01",
        "ends_on": "2026-09-10", "currency": "USD", "budget": "100"}, headers=h)
    assert text_number.status_code == 422 and "use a JSON number" in text_number.text
    assert client.post("/api/v1/catalog/shows", json={"show_id": "a/b", "title": "Slash"},
                       headers=h).status_code == 422


def test_writes_need_catalog_write(client, make_tenant, make_key):
    reader = make_key(make_tenant(), ["attribution:read"])
    answer = client.post("/api/v1/catalog/shows", json={"show_id": "s1", "title": "One"},
                         headers=reader.headers)
    assert answer.status_code == 403 and "catalog:write" in answer.json()["detail"]
    assert client.get("/api/v1/catalog/shows", headers=reader.headers).json()["data"] == []


def test_pages_follow_the_key_and_a_cursor_belongs_to_its_listing(client, writer):
    h = writer.headers
    for show_id in ("b", "a", "c"):
        client.post("/api/v1/catalog/shows", json={"show_id": show_id, "title": show_id.upper()}, headers=h)
    first = client.get("/api/v1/catalog/shows", params={"limit": 2}, headers=h).json()
    assert [s["show_id"] for s in first["data"]] == ["a", "b"] and first["has_more"]
    second = client.get("/api/v1/catalog/shows", params={"limit": 2, "starting_after": first["next_cursor"]},
                        headers=h).json()
    assert [s["show_id"] for s in second["data"]] == ["c"] and second["next_cursor"] is None
    elsewhere = client.get("/api/v1/catalog/episodes", params={"starting_after": first["next_cursor"]},
                           headers=h)
    assert elsewhere.status_code == 422


def test_tenants_with_the_same_ids_see_only_their_own(client, make_tenant, make_key):
    a, b = make_key(make_tenant(), WRITER), make_key(make_tenant(), WRITER)
    assert client.post("/api/v1/catalog/shows", json={"show_id": "same", "title": "A's"},
                       headers=a.headers).status_code == 201
    assert client.post("/api/v1/catalog/shows", json={"show_id": "same", "title": "B's"},
                       headers=b.headers).status_code == 201
    assert client.get("/api/v1/catalog/shows/same", headers=a.headers).json()["title"] == "A's"
    listed = client.get("/api/v1/catalog/shows", headers=b.headers).json()["data"]
    assert [s["title"] for s in listed] == ["B's"]
    assert client.delete("/api/v1/catalog/shows/same", headers=b.headers).status_code == 204
    assert client.get("/api/v1/catalog/shows/same", headers=a.headers).status_code == 200


def test_keys_with_slashes_and_two_columns_have_their_paths(client, economics_tenants, make_key):
    h = make_key(economics_tenants.a, WRITER).headers
    url = client.get("/api/v1/catalog/vanity_urls/sprocket.com/one", headers=h)
    assert url.status_code == 200 and url.json() == {"url": "sprocket.com/one", "campaign_id": "c1",
                                                     "show_id": "s1"}
    delivery = client.get("/api/v1/catalog/deliveries/p_cpm/2026-09-02", headers=h)
    assert delivery.json() == {"placement_id": "p_cpm", "day": "2026-09-02", "impressions": 500}
    placement = client.get("/api/v1/catalog/placements/p_flat", headers=h).json()
    assert (placement["pricing"], placement["rate"], placement["starts_on"]) == ("flat", 100.0, "2026-09-01")


def test_economics_and_show_credits_through_the_api(client, economics_tenants, make_key):
    h = make_key(economics_tenants.a, ["attribution:read"]).headers
    shows = client.get("/api/v1/economics/shows", headers=h).json()
    assert shows["model"] == "linear" and shows["computed_at"]
    s1 = next(row for row in shows["rows"] if row["show_id"] == "s1")
    assert (s1["title"], s1["spend"], s1["cpa"], s1["roas"], s1["cpm"]) == (
        "Show One", 40.0, 80.0, 1.25, 20.0)
    s3 = next(row for row in shows["rows"] if row["show_id"] == "s3")
    assert s3["cpm"] is None and s3["conversions_per_mille"] is None
    window = client.get("/api/v1/economics/campaigns", params={"start": "2026-09-02", "end": "2026-09-02"},
                        headers=h).json()
    c1 = next(row for row in window["rows"] if row["campaign_id"] == "c1")
    # 09-02 alone: $10 CPM + $33.33 flat, 1,500 impressions, no c1 conversions that day
    assert (c1["spend"], c1["impressions"], c1["conversions"], c1["cpa"], c1["roas"]) == (
        43.33, 1500, 0.0, None, 0.0)

    credits = client.get("/api/v1/attribution/shows", params={"model": "first_touch"}, headers=h).json()
    assert credits["model"] == "first_touch"
    assert {r["show_id"]: r["conversions"] for r in credits["rows"]} == {
        "s1": 1.0, "s2": 1.0, "s3": 1.0, "(unknown)": 1.0, "(none)": 0.0}
    assert sum(r["conversion_share"] for r in credits["rows"]) == pytest.approx(1.0)
    assert {r["show_id"]: r["title"] for r in credits["rows"]}["s2"] == "Show Two"


def test_the_reporting_model_is_the_default_model(client, make_tenant, make_key):
    caller = make_key(make_tenant(), ["attribution:read", "settings:write"])
    assert client.get("/api/v1/settings", headers=caller.headers).json()["reporting_model"] == "linear"
    patched = client.patch("/api/v1/settings", json={"reporting_model": "time_decay"}, headers=caller.headers)
    assert patched.status_code == 200 and patched.json()["reporting_model"] == "time_decay"
    for path in ("attribution/channels", "attribution/shows", "economics/campaigns", "economics/shows"):
        assert client.get(f"/api/v1/{path}", headers=caller.headers).json()["model"] == "time_decay", path
    asked = client.get("/api/v1/attribution/shows", params={"model": "last_touch"}, headers=caller.headers)
    assert asked.json()["model"] == "last_touch"
    assert client.patch("/api/v1/settings", json={"reporting_model": "markov"},
                        headers=caller.headers).status_code == 422


def test_a_promo_code_is_found_by_the_spelling_it_was_written_with(client, writer):
    h = writer.headers
    client.post("/api/v1/catalog/advertisers", json={"advertiser_id": "a", "name": "A"}, headers=h)
    client.post("/api/v1/catalog/campaigns", json={"campaign_id": "c", "advertiser_id": "a", "name": "C",
                                                   "starts_on": "2026-09-01", "ends_on": "2026-09-30",
                                                   "currency": "usd"}, headers=h)
    put = client.put("/api/v1/catalog/promo_codes/sprocket-20", json={"campaign_id": "c"}, headers=h)
    assert put.status_code == 200 and put.json()["code"] == "SPROCKET20"
    assert client.get("/api/v1/catalog/promo_codes/sprocket-20", headers=h).json()["code"] == "SPROCKET20"
    assert client.delete("/api/v1/catalog/promo_codes/Sprocket-20", headers=h).status_code == 204
    assert client.get("/api/v1/catalog/promo_codes/SPROCKET20", headers=h).status_code == 404


def test_a_vanity_url_with_a_line_break_still_meets_the_key_check(client, writer):
    # Starlette's `path` convertor stops at a line break: the request would 404 before authentication.
    assert client.get("/api/v1/catalog/vanity_urls/a%0Ab").status_code == 401
    assert client.get("/api/v1/catalog/vanity_urls/a%0Ab", headers=writer.headers).status_code == 404
