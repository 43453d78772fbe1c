"""The LLM's second opinion on the ad reads the local detector is unsure about, through the OpenAI SDK
pointed at the local server: only reads under the threshold are sent, an answer can drop or correct a
read, a rerun is served from the cache, and an outage leaves the local reads as they were."""

from dataclasses import replace

from fake_llm import ok, status

from earmark.ai.adreads import AdRead, Context
from earmark.ai.adreads.brands import Brand, BrandCatalog
from earmark.ai.refine import CONFIRMED, REFINE_BELOW, refine, refiner_for
from earmark.ai.transcripts import Cue, Transcript

CUES = tuple(Cue(10.0 * i, 10.0 * i + 10, text) for i, text in enumerate([
    "So that was the whole story of the lighthouse.",
    "You know who else keeps the lights on? Our friends at Lantern Row.",
    "Lantern Row is a show about old coastal towns, new episodes every Tuesday.",
    "Anyway, back to the keeper's logbook.",
    "Use code TIDE ten at tidewaterboots dot com for ten percent off your first pair.",
    "Tidewater Boots, made for wet feet.",
    "And we're back.",
]))
TRANSCRIPT = Transcript(CUES, "vtt", "ep.vtt")


def _read(first: int, last: int, confidence: float, **fields) -> AdRead:
    base = AdRead(CUES[first].start_s, CUES[last].end_s, first, last, "host_read", None, None, (), (), "mid",
                  confidence, ("evidence",))
    return replace(base, **fields)


UNSURE = _read(1, 2, 0.4)
TALK = _read(3, 3, 0.3)
SURE = _read(4, 5, 0.9, brand="Tidewater Boots", promo_codes=("TIDE10",), vanity_urls=("tidewaterboots.com",))
CROSS_PROMO = {"is_ad": True, "kind": "cross_promo", "brand": "Lantern Row", "promo_codes": [],
               "vanity_urls": []}
NOT_AN_AD = {"is_ad": False, "kind": "host_read", "brand": "", "promo_codes": [], "vanity_urls": []}


def test_only_unsure_reads_are_sent_and_the_answers_drop_or_correct_them(fake, ai_settings, analyzer,
                                                                       make_tenant):
    tenant = make_tenant()
    fake.openai.then(ok(CROSS_PROMO), ok(NOT_AN_AD))
    run, _ = analyzer(tenant, ai_settings(ai_providers=["openai"]))
    reads, refined = refine(run, TRANSCRIPT, [UNSURE, TALK, SURE])
    assert refined == 2
    assert reads == [replace(UNSURE, kind="cross_promo", brand="Lantern Row", confidence=0.8,
                             analyzer="openai:gpt-5.4-mini"), SURE]
    assert SURE.confidence >= REFINE_BELOW > UNSURE.confidence
    first, second = fake.openai.requests
    sent = first.body["input"].splitlines()
    # the segment marked, with two cues of context on either side
    assert [line[:2] for line in sent] == ["  ", ">>", ">>", "  ", "  "]
    assert "Lantern Row is a show about old coastal towns" in sent[2]
    assert ">> [30.0s] Anyway, back to the keeper's logbook." in second.body["input"]


def test_a_rerun_is_answered_from_the_cache(fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    fake.openai.then(ok(CROSS_PROMO))
    run, _ = analyzer(tenant, ai_settings(ai_providers=["openai"]))
    once, _ = refine(run, TRANSCRIPT, [UNSURE])
    again, _ = refine(run, TRANSCRIPT, [UNSURE])
    assert once == again and fake.openai.count == 1


def test_an_outage_keeps_the_local_reads(fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    fake.openai.then(status(503), status(503), status(503))
    run, _ = analyzer(tenant, ai_settings(ai_providers=["openai"]))
    reads, refined = refine(run, TRANSCRIPT, [UNSURE, SURE])
    assert (reads, refined) == ([UNSURE, SURE], 0)
    assert fake.openai.count == 3


def test_with_only_the_local_analyzer_there_is_nothing_to_refine(make_tenant):
    with refiner_for(make_tenant().id) as refiner:
        assert refiner is None


def test_the_llms_brand_is_the_catalogs_when_the_catalog_knows_it(fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    fake.openai.then(ok({**CROSS_PROMO, "brand": "lantern row podcast"}))
    run, _ = analyzer(tenant, ai_settings(ai_providers=["openai"]))
    catalog = BrandCatalog([Brand("Lantern Row", "partner_podcast", "a-lantern", ("Lantern Row podcast",))])
    (read,), _ = refine(run, TRANSCRIPT, [UNSURE], Context(catalog))
    assert (read.brand, read.advertiser_id, read.kind) == ("Lantern Row", "a-lantern", "cross_promo")


def test_an_analysis_with_an_llm_records_who_decided_each_read(fake, ai_settings, analyzer, make_tenant):
    from pathlib import Path

    from earmark import db
    from earmark.ai.analysis import analyse_tenant
    from earmark.ai.transcripts.store import load_files

    tenant = make_tenant()
    load_files(tenant.id, [Path(__file__).parent / "eval" / "p2" / "transcripts" / "p2-e01.vtt"])
    fake.openai.then(*[ok({**CROSS_PROMO, "kind": "produced", "brand": "Somebody"}) for _ in range(10)])
    run, _ = analyzer(tenant, ai_settings(ai_providers=["openai"]))
    summary = analyse_tenant(tenant.id, refiner=lambda t, reads, c: refine(run, t, reads, c))
    with db.connect("owner") as conn:
        rows = conn.execute("select analyzer, confidence::float8 from ai.ad_reads where tenant_id = %s "
                            "order by seq", [tenant.id]).fetchall()
        calls = conn.execute("select count(*) from app.ai_calls where tenant_id = %s and outcome = 'ok'",
                             [tenant.id]).fetchone()[0]
    refined = [r for r in rows if r[0] == "openai:gpt-5.4-mini"]
    assert summary.refined == len(refined) == fake.openai.count == calls > 0
    assert all(confidence == CONFIRMED for _, confidence in refined)
    assert all(confidence >= REFINE_BELOW for analyzer_, confidence in rows if analyzer_ == "earmark-local")
