"""The AI read routes over real Postgres: /api/v1/ai/ad-reads (filters, keyset pages) and
/api/v1/ai/episodes/{episode_id} (transcript, analysis, topics, ad reads), one tenant's rows only."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from psycopg.types.json import Jsonb

from earmark import db

READS = "/api/v1/ai/ad-reads"
PROBLEM = "application/problem+json"

TRANSCRIPTS = [
    # episode_id, source_file, format, content_hash, cue_count, duration_s, words
    ("ep-a", "ep-a.vtt", "vtt", "hash-a", 120, 1834.25, 5400),
    ("ep-b", "shows/ep-b.srt", "srt", "hash-b", 80, 1200.5, 3100),
    ("ep-c", "ep-c.json", "json", "hash-c", 10, 60, 150),  # loaded, never analysed
]
# ep-a's analysis is of the transcript as loaded; ep-b's of an older version.
ANALYSES = {
    "ep-a": dict(content_hash="hash-a", sentiment=0.4125, sentiment_label="positive",
                 sentiment_method="vader", positive_share=0.5, neutral_share=0.375, negative_share=0.125,
                 keywords=[{"term": "espresso", "score": 0.61}, {"term": "gears", "score": 0.2}],
                 brands=[{"brand": "Sprocket Coffee", "advertiser_id": "sprocket", "kind": "advertiser",
                          "mentions": 3}],
                 people=[{"name": "Ann Lee", "mentions": 4, "first_s": 12.5}]),
    "ep-b": dict(content_hash="hash-b-older", sentiment=-0.2, sentiment_label="negative",
                 sentiment_method="llm:claude", positive_share=0.1, neutral_share=0.3, negative_share=0.6,
                 keywords=[], brands=[], people=[]),
}
# ep-a's reads are numbered out of time order on purpose: the episode route orders them by start.
AD_READS = [
    dict(episode_id="ep-a", seq=1, start_s=0, end_s=45.5, first_cue=1, last_cue=4, kind="host_read",
         brand="Sprocket Coffee", advertiser_id="sprocket", promo_codes=["SPROCKET20"],
         vanity_urls=["sprocket.coffee/pod"], position="pre", confidence=0.95,
         evidence=["read by the host", "promo code"], campaign_id="sprocket-fall", code_said=True,
         url_said=True, url_repeats=2, cta=True, analyzer="local"),
    dict(episode_id="ep-a", seq=2, start_s=1790.25, end_s=1830, first_cue=110, last_cue=118, kind="produced",
         brand="Gearbox", advertiser_id="gearbox", promo_codes=[], vanity_urls=[], position="post",
         confidence=0.8, evidence=["music bed"], campaign_id=None, code_said=None, url_said=None,
         url_repeats=0, cta=False, analyzer="openai"),
    dict(episode_id="ep-a", seq=3, start_s=600, end_s=660.75, first_cue=40, last_cue=44, kind="cross_promo",
         brand=None, advertiser_id=None, promo_codes=[], vanity_urls=[], position="mid", confidence=0.55,
         evidence=["another podcast promoted"], campaign_id=None, code_said=None, url_said=None,
         url_repeats=0, cta=True, analyzer="local"),
    dict(episode_id="ep-b", seq=1, start_s=300, end_s=360, first_cue=20, last_cue=25, kind="dynamic_insert",
         brand="Sprocket Coffee", advertiser_id="sprocket", promo_codes=[],
         vanity_urls=["sprocket.coffee/pod"], position="mid", confidence=0.7, evidence=["loudness jump"],
         campaign_id="sprocket-fall", code_said=False, url_said=True, url_repeats=1, cta=True,
         analyzer="local"),
    dict(episode_id="ep-b", seq=2, start_s=1100, end_s=1150, first_cue=70, last_cue=75, kind="self_promo",
         brand=None, advertiser_id=None, promo_codes=[], vanity_urls=[], position="post", confidence=1,
         evidence=["own show"], campaign_id=None, code_said=None, url_said=None, url_repeats=0, cta=False,
         analyzer="local"),
]
TOPICS = [(1, "espresso / roast", ["espresso", "roast", "beans"]), (2, "gears / bikes", ["gears", "bikes"])]
TOPIC_EPISODES = [(1, "ep-a", 0.25), (2, "ep-a", 0.75), (2, "ep-b", 1.0)]
SOURCE = {t[0]: t[1] for t in TRANSCRIPTS}
WIRE_FIELDS = ["source_file", "episode_id", "seq", "start_s", "end_s", "kind", "brand", "advertiser_id",
               "promo_codes", "vanity_urls", "position", "confidence", "evidence", "campaign_id", "code_said",
               "url_said", "url_repeats", "cta", "analyzer"]


def seed(tenant_id, transcripts=TRANSCRIPTS, analyses=ANALYSES, reads=AD_READS) -> None:
    """The rows the pipeline would write, inserted as the owner in the tenant's transaction."""
    with db.connect("owner") as conn, db.tenant_transaction(conn, tenant_id):
        for episode_id, source_file, fmt, content_hash, cue_count, duration_s, words in transcripts:
            conn.execute("insert into ai.transcripts (tenant_id, episode_id, source_file, format, "
                         "content_hash, cue_count, duration_s, words, loaded_at) "
                         "values (%s, %s, %s, %s, %s, %s, %s, %s, '2026-09-01T12:00:00Z')",
                         [tenant_id, episode_id, source_file, fmt, content_hash, cue_count, duration_s,
                          words])
        for episode_id, a in analyses.items():
            conn.execute(
                "insert into ai.episode_analyses (tenant_id, episode_id, content_hash, sentiment,"
                " sentiment_label, sentiment_method, positive_share, neutral_share, negative_share, keywords,"
                " brands, people, analyzer) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'local')",
                [tenant_id, episode_id, a["content_hash"], a["sentiment"], a["sentiment_label"],
                 a["sentiment_method"], a["positive_share"], a["neutral_share"], a["negative_share"],
                 Jsonb(a["keywords"]), Jsonb(a["brands"]), Jsonb(a["people"])])
        for read in reads:
            columns = list(read)
            conn.execute(f"insert into ai.ad_reads (tenant_id, {', '.join(columns)}) "
                         f"values (%s{', %s' * len(columns)})", [tenant_id, *read.values()])
        for topic_no, label, terms in TOPICS:
            conn.execute("insert into ai.topics (tenant_id, topic_no, label, terms) values (%s, %s, %s, %s)",
                         [tenant_id, topic_no, label, terms])
        for topic_no, episode_id, weight in TOPIC_EPISODES:
            if any(t[0] == episode_id for t in transcripts):
                conn.execute("insert into ai.topic_episodes (tenant_id, topic_no, episode_id, weight) "
                             "values (%s, %s, %s, %s)", [tenant_id, topic_no, episode_id, weight])


def wire(read: dict) -> dict:
    """An ad read as the API answers it: its transcript's file, numbers as JSON numbers, no cue bounds."""
    answer = {**read, "source_file": SOURCE[read["episode_id"]], "start_s": float(read["start_s"]),
              "end_s": float(read["end_s"]), "confidence": float(read["confidence"])}
    return {name: answer[name] for name in WIRE_FIELDS}


@pytest.fixture
def reader(make_tenant, make_key):
    caller = make_key(make_tenant(), ["attribution:read"])
    seed(caller.tenant.id)
    return caller


def _get(client, caller, path=READS, **params):
    answer = client.get(path, params=params, headers=caller.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _keys(rows: list[dict]) -> list[tuple[str, int]]:
    return [(r["episode_id"], r["seq"]) for r in rows]


def test_the_list_returns_exactly_the_seeded_rows_in_key_order(client, reader):
    page = _get(client, reader)
    assert page["has_more"] is False and page["next_cursor"] is None
    assert page["data"] == [wire(r) for r in AD_READS]  # seeded in (episode_id, seq) order
    first = page["data"][0]
    assert isinstance(first["start_s"], float) and isinstance(first["confidence"], float)
    assert list(first) == WIRE_FIELDS


@pytest.mark.parametrize(("params", "expected"), [
    ({"episode_id": "ep-b"}, [("ep-b", 1), ("ep-b", 2)]),
    ({"episode_id": "ep-c"}, []),
    ({"episode_id": "no-such-episode"}, []),
    ({"kind": "host_read"}, [("ep-a", 1)]),
    ({"kind": "dynamic_insert"}, [("ep-b", 1)]),
    ({"advertiser_id": "sprocket"}, [("ep-a", 1), ("ep-b", 1)]),
    ({"position": "mid"}, [("ep-a", 3), ("ep-b", 1)]),
    ({"position": "post"}, [("ep-a", 2), ("ep-b", 2)]),
    ({"min_confidence": 0.8}, [("ep-a", 1), ("ep-a", 2), ("ep-b", 2)]),  # 0.8 itself included
    ({"min_confidence": 0}, [(r["episode_id"], r["seq"]) for r in AD_READS]),
    ({"min_confidence": 1}, [("ep-b", 2)]),
    ({"advertiser_id": "sprocket", "position": "mid"}, [("ep-b", 1)]),
    ({"episode_id": "ep-a", "min_confidence": 0.6, "kind": "produced"}, [("ep-a", 2)]),
])
def test_each_filter_narrows_the_list(client, reader, params, expected):
    assert _keys(_get(client, reader, **params)["data"]) == expected


@pytest.mark.parametrize("params", [{"kind": "jingle"}, {"position": "middle"}, {"min_confidence": 1.5},
                                    {"min_confidence": -0.1}, {"min_confidence": "nan"}, {"limit": 0},
                                    {"limit": 501}, {"advertiser": "sprocket"}])
def test_a_bad_filter_is_a_422_naming_it(client, reader, params):
    answer = client.get(READS, params=params, headers=reader.headers)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert answer.json()["errors"][0]["loc"] == ["query", next(iter(params))]


def _walk(client, caller, limit: int, **params) -> tuple[list[dict], int]:
    found, after, pages = [], None, 0
    while True:
        page = _get(client, caller, limit=limit, **params, **({"starting_after": after} if after else {}))
        pages += 1
        assert len(page["data"]) <= limit
        found += page["data"]
        if not page["has_more"]:
            assert page["next_cursor"] is None
            return found, pages
        after = page["next_cursor"]


@pytest.mark.parametrize("limit", [1, 2, 4, 5])
def test_pages_walk_every_row_once_in_order(client, reader, limit):
    found, pages = _walk(client, reader, limit)
    assert found == [wire(r) for r in AD_READS]
    assert pages == -(-len(AD_READS) // limit)  # a full last page says has_more false, no empty page after


def test_pages_keep_to_the_filters(client, reader):
    found, pages = _walk(client, reader, 1, position="post")
    assert _keys(found) == [("ep-a", 2), ("ep-b", 2)] and pages == 2


def test_a_cursor_is_the_tenants_and_the_listings_own(client, reader, make_tenant, make_key):
    cursor = _get(client, reader, limit=2)["next_cursor"]
    following = _get(client, reader, limit=2, starting_after=cursor)
    assert _keys(following["data"]) == [("ep-a", 3), ("ep-b", 1)]
    other = make_key(make_tenant())
    for caller, forged in ((other, cursor), (reader, cursor[:-2] + ("AA" if cursor[-2:] != "AA" else "BB")),
                           (reader, "ep-a.2")):
        answer = client.get(READS, params={"starting_after": forged}, headers=caller.headers)
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["loc"] == ["query", "starting_after"]
    # A conversions cursor of the same tenant does not page ad reads.
    from api import cursors
    from earmark.settings import get_settings

    foreign = cursors.seal(get_settings(), reader.tenant.id, "conversions", ["ep-a", "1"])
    assert client.get(READS, params={"starting_after": foreign}, headers=reader.headers).status_code == 422


def test_the_episode_route_nests_the_analysis_topics_and_reads_in_the_order_heard(client, reader):
    body = _get(client, reader, "/api/v1/ai/episodes/ep-a")
    loaded_at = datetime.fromisoformat(body.pop("loaded_at"))
    assert loaded_at == datetime.fromisoformat("2026-09-01T12:00:00+00:00")
    a = ANALYSES["ep-a"]
    assert body == {
        "episode_id": "ep-a", "source_file": "ep-a.vtt", "format": "vtt", "duration_s": 1834.25,
        "cue_count": 120, "words": 5400,
        "sentiment": {"score": 0.4125, "label": "positive", "method": "vader", "positive_share": 0.5,
                      "neutral_share": 0.375, "negative_share": 0.125},
        "keywords": a["keywords"], "brands": a["brands"], "people": a["people"],
        "topics": [{"topic_no": 2, "label": "gears / bikes", "terms": ["gears", "bikes"], "weight": 0.75},
                   {"topic_no": 1, "label": "espresso / roast", "terms": ["espresso", "roast", "beans"],
                    "weight": 0.25}],
        "ad_reads": [wire(AD_READS[0]), wire(AD_READS[2]), wire(AD_READS[1])],  # by start: 0, 600, 1790.25
        "analysis_current": True,
    }


def test_an_analysis_of_an_older_transcript_is_not_current(client, reader):
    body = _get(client, reader, "/api/v1/ai/episodes/ep-b")
    assert body["analysis_current"] is False
    assert body["sentiment"] == {"score": -0.2, "label": "negative", "method": "llm:claude",
                                 "positive_share": 0.1, "neutral_share": 0.3, "negative_share": 0.6}
    assert body["topics"] == [{"topic_no": 2, "label": "gears / bikes", "terms": ["gears", "bikes"],
                               "weight": 1.0}]
    assert body["ad_reads"] == [wire(r) for r in AD_READS if r["episode_id"] == "ep-b"]


def test_an_episode_not_analysed_yet_has_no_sentiment_and_empty_lists(client, reader):
    body = _get(client, reader, "/api/v1/ai/episodes/ep-c")
    assert body["sentiment"] is None and body["analysis_current"] is False
    assert (body["keywords"], body["brands"], body["people"], body["topics"], body["ad_reads"]) == (
        [], [], [], [], [])
    assert (body["format"], body["duration_s"], body["cue_count"]) == ("json", 60.0, 10)


def test_an_unknown_episode_is_a_404_problem_that_says_how_to_load_it(client, reader):
    answer = client.get("/api/v1/ai/episodes/ep-z", headers=reader.headers)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == PROBLEM
    problem = answer.json()
    assert problem["type"] == "https://earmark.dev/problems/not-found"
    assert problem["instance"] == "/api/v1/ai/episodes/ep-z"
    assert "'ep-z'" in problem["detail"] and "earmark transcripts ingest" in problem["detail"]
    assert "x-ratelimit-limit" in answer.headers  # a 404 passes the limiter like an answer


def test_another_tenants_key_sees_none_of_it(client, reader, make_tenant, make_key):
    stranger = make_key(make_tenant())
    assert _get(client, stranger) == {"data": [], "has_more": False, "next_cursor": None}
    for episode_id in ("ep-a", "ep-b", "ep-c"):
        answer = client.get(f"/api/v1/ai/episodes/{episode_id}", headers=stranger.headers)
        assert answer.status_code == 404, episode_id
    assert _get(client, stranger, advertiser_id="sprocket")["data"] == []


def test_two_tenants_with_the_same_episode_ids_each_see_their_own(make_client, reader, make_tenant, make_key):
    other = make_key(make_tenant())
    theirs = [{**r, "brand": "Their Brand", "confidence": 0.5, "analyzer": "theirs"} for r in AD_READS[:2]]
    seed(other.tenant.id, transcripts=[("ep-a", "theirs.vtt", "vtt", "x", 5, 30, 40)],
         analyses={"ep-a": {**ANALYSES["ep-a"], "sentiment": -0.9, "sentiment_label": "negative"}},
         reads=theirs)
    client = make_client(pool_min_size=1, pool_max_size=1)  # both tenants on one Postgres session
    for _ in range(2):
        mine, their_page = _get(client, reader), _get(client, other)
        assert mine["data"] == [wire(r) for r in AD_READS]
        assert [(r["source_file"], r["brand"], r["analyzer"]) for r in their_page["data"]] == [
            ("theirs.vtt", "Their Brand", "theirs")] * 2
        mine, their_episode = (_get(client, c, "/api/v1/ai/episodes/ep-a") for c in (reader, other))
        assert mine["sentiment"]["score"] == 0.4125 and len(mine["ad_reads"]) == 3
        assert their_episode["sentiment"]["score"] == -0.9 and their_episode["source_file"] == "theirs.vtt"
        assert "Their Brand" not in json.dumps(mine) and "Sprocket" not in json.dumps(their_page)
    # A cursor of one tenant does not page the other's rows.
    cursor = _get(client, reader, limit=1)["next_cursor"]
    assert client.get(READS, params={"starting_after": cursor}, headers=other.headers).status_code == 422


def test_the_routes_need_attribution_read(client, make_tenant, make_key):
    writer = make_key(make_tenant(), ["settings:write"])
    for path in (READS, "/api/v1/ai/episodes/ep-a"):
        answer = client.get(path, headers=writer.headers)
        assert answer.status_code == 403, path
        assert answer.json()["type"].endswith("/insufficient-scope")
        assert client.get(path).status_code == 401
