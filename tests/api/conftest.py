"""The API under test: a real app (lifespan, pool, API role) over the session's embedded Postgres; the
key and client factories live in tests/conftest.py (the catalog's tests call the API too)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from psycopg.types.json import Jsonb

from earmark import db, tenancy


@dataclass(frozen=True)
class AttributionTenants:
    """Two tenants with the same user (and event) ids and different journeys, marts built by dbt."""

    a: tenancy.Tenant
    b: tenancy.Tenant
    conversions_a: int
    conversions_b: int
    revenue_a: float
    revenue_b: float
    # An episode both tenants have a transcript, an analysis and ad reads for (different ones).
    ai_episode_id: str = "api-shared-episode"


@pytest.fixture(scope="session")
def attribution_tenants(database) -> AttributionTenants:
    from earmark.attribution import dbt_env, synthetic

    made = []
    with db.connect("owner") as conn:
        for label in ("a", "b"):
            made.append(tenancy.create_tenant(conn, f"api-attr-{label}-{os.getpid()}", "enterprise"))
    stats = []
    for tenant, seed, journeys in ((made[0], 101, 300), (made[1], 202, 500)):
        frame = synthetic.generate_journeys(journeys, seed=seed)
        conversions = frame.filter(frame["event_type"] == "conversion")
        stats.append((conversions.height, float(conversions["revenue"].sum())))
        with db.connect("transformer") as conn:
            synthetic.copy_events(conn, tenant.id, frame)
            conn.commit()
    done = dbt_env.run_dbt("build", "--exclude", "resource_type:test", "resource_type:unit_test")
    assert done.returncode == 0, done.stdout[-3000:]
    tenants = AttributionTenants(made[0], made[1], stats[0][0], stats[1][0], stats[0][1], stats[1][1])
    for tenant, label, reads in ((tenants.a, "a", 2), (tenants.b, "b", 3)):
        _seed_transcript_analysis(tenant.id, tenants.ai_episode_id, label, reads)
    return tenants


def _seed_transcript_analysis(tenant_id, episode_id: str, label: str, reads: int) -> None:
    """What the AI pipeline writes for one episode (tests/ai/test_ai_api.py checks the values): a transcript,
    its analysis, a topic and `reads` ad reads, all naming `label`, so the tenants' answers differ."""
    with db.connect("owner") as conn, db.tenant_transaction(conn, tenant_id):
        conn.execute("insert into ai.transcripts (tenant_id, episode_id, source_file, format, content_hash, "
                     "cue_count, duration_s, words) values (%s, %s, %s, 'vtt', %s, 40, 1500.5, 2000)",
                     [tenant_id, episode_id, f"{label}.vtt", f"hash-{label}"])
        conn.execute("insert into ai.episode_analyses (tenant_id, episode_id, content_hash, sentiment, "
                     "sentiment_label, sentiment_method, positive_share, neutral_share, negative_share, "
                     "keywords, brands, people, analyzer) values (%s, %s, %s, 0.25, 'positive', 'vader', "
                     "0.5, 0.25, 0.25, %s, %s, %s, 'local')",
                     [tenant_id, episode_id, f"hash-{label}",
                      Jsonb([{"term": f"term-{label}", "score": 0.5}]),
                      Jsonb([{"brand": f"Brand {label}", "advertiser_id": label, "kind": "advertiser",
                              "mentions": 2}]),
                      Jsonb([{"name": f"Host {label}", "mentions": 1, "first_s": 3.5}])])
        conn.execute("insert into ai.topics (tenant_id, topic_no, label, terms) values (%s, 1, %s, %s)",
                     [tenant_id, f"topic {label}", [f"term-{label}"]])
        conn.execute("insert into ai.topic_episodes (tenant_id, topic_no, episode_id, weight) "
                     "values (%s, 1, %s, 1)", [tenant_id, episode_id])
        for seq in range(1, reads + 1):
            conn.execute("insert into ai.ad_reads (tenant_id, episode_id, seq, start_s, end_s, first_cue, "
                         "last_cue, kind, brand, advertiser_id, promo_codes, position, confidence, cta, "
                         "analyzer) values (%s, %s, %s, %s, %s, %s, %s, 'host_read', %s, %s, %s, 'mid', 0.9, "
                         "true, 'local')",
                         [tenant_id, episode_id, seq, 100 * seq, 100 * seq + 30, seq, seq, f"Brand {label}",
                          label, [f"CODE{label.upper()}"]])


@pytest.fixture
def schema_caller(make_key, make_tenant):
    """A tenant key with every tenant scope, for schemathesis."""
    return make_key(make_tenant(), ["attribution:read", "settings:write", "keys:admin"])
