"""Prompt-cache tokens in the usage ledger, from each provider's own way of counting them: OpenAI's
input_tokens include the cached tokens (input_tokens_details), Anthropic's exclude the tokens read from
and written to the cache (counted beside it). app.ai_calls.tokens_in is all the input either way, the
cache columns are parts of it, and cost_usd prices each part at its own rate (hand-computed here from
the packaged prices.toml or a table of the test's own)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import psycopg
import pytest
from fake_llm import malformed, ok, without
from provider_cases import NEGATIVE, POSITIVE, TASK, TEXT, cache_calls, key_sources, set_tenant_key

from earmark import db
from earmark.ai.providers import usage


def test_openai_cached_input_is_part_of_tokens_in_and_priced_at_the_cached_rate(
        fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    # OpenAI's input_tokens (10240) already include the 8192 read from the cache.
    fake.openai.then(ok(POSITIVE, tokens_in=10_240, tokens_out=317, cache_read=8_192))
    run, _ = analyzer(tenant, ai_settings(ai_providers=["openai"]))
    assert run.analyse(TASK, TEXT).provider == "openai"
    # gpt-5.4-mini: 2048 fresh x 0.75 + 8192 cached x 0.075 + 317 x 4.50 = 1536 + 614.4 + 1426.5 = 3576.9
    # per million (all 10240 as plain input would be 0.0091065).
    assert cache_calls(tenant) == [("openai", "ok", None, 10_240, 8_192, 0, 317, Decimal("0.0035769"))]


def test_anthropic_cache_reads_and_writes_are_added_into_tokens_in_and_priced_at_their_rates(
        fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    # Anthropic's input_tokens (1500) count neither the 6000 read from the cache nor the 2500 written.
    fake.anthropic.then(ok(NEGATIVE, tokens_in=1_500, tokens_out=150, cache_read=6_000, cache_write=2_500))
    run, _ = analyzer(tenant, ai_settings(ai_providers=["anthropic"]))
    assert run.analyse(TASK, TEXT).provider == "anthropic"
    # claude-haiku-4-5: 1500 x 1.00 + 6000 x 0.10 + 2500 x 1.25 + 150 x 5.00 = 1500 + 600 + 3125 + 750
    # = 5975 per million.
    assert cache_calls(tenant) == [
        ("anthropic", "ok", None, 10_000, 6_000, 2_500, 150, Decimal("0.005975"))]
    with db.connect("owner") as conn, db.tenant_transaction(conn, tenant.id):
        (total,) = usage.totals(conn, tenant.id)
    columns = ("tokens_in", "cache_read_tokens", "cache_write_tokens", "tokens_out", "cost_usd")
    assert tuple(total[name] for name in columns) == (10_000, 6_000, 2_500, 150, Decimal("0.005975"))


@pytest.mark.parametrize(("provider", "billed", "row"), [
    # 300 fresh x 0.75 + 4000 x 0.075 + 40 x 4.50 = 225 + 300 + 180
    ("openai", malformed(tokens_in=4_300, tokens_out=40, cache_read=4_000),
     ("openai", "retry", "malformed", 4_300, 4_000, 0, 40, Decimal("0.000705"))),
    # 300 x 1.00 + 4000 x 0.10 + 1000 x 1.25 + 40 x 5.00 = 300 + 400 + 1250 + 200
    ("anthropic", malformed(tokens_in=300, tokens_out=40, cache_read=4_000, cache_write=1_000),
     ("anthropic", "retry", "malformed", 5_300, 4_000, 1_000, 40, Decimal("0.00215"))),
], ids=["openai", "anthropic"])
def test_an_answer_that_fails_still_records_its_cache_tokens(provider, billed, row, fake, ai_settings,
                                                             analyzer, make_tenant):
    tenant = make_tenant()
    getattr(fake, provider).then(billed, ok(POSITIVE, tokens_in=1_000, tokens_out=10))
    run, _ = analyzer(tenant, ai_settings(ai_providers=[provider]))
    assert run.analyse(TASK, TEXT).attempts == 2
    assert cache_calls(tenant)[0] == row


def test_cache_counts_a_body_leaves_out_or_sends_as_null_are_none(fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    fake.openai.then(without(POSITIVE, "usage", "input_tokens_details"),
                     ok(POSITIVE, cache_read=None, cache_write=None))
    fake.anthropic.then(ok(NEGATIVE, cache_read=None, cache_write=None),
                        without(NEGATIVE, "usage", "cache_read_input_tokens"))
    for provider, version in (("openai", "v1"), ("openai", "v2"), ("anthropic", "v3"), ("anthropic", "v4")):
        run, _ = analyzer(tenant, ai_settings(ai_providers=[provider]))
        assert run.analyse(dataclasses.replace(TASK, prompt_version=version), TEXT).provider == provider
    # 1200 x 0.75 + 85 x 4.50 (gpt-5.4-mini); 1200 x 1.00 + 85 x 5.00 (claude-haiku-4-5)
    assert cache_calls(tenant) == [("openai", "ok", None, 1_200, 0, 0, 85, Decimal("0.0012825"))] * 2 + [
        ("anthropic", "ok", None, 1_200, 0, 0, 85, Decimal("0.001625"))] * 2


def test_an_openai_body_with_more_cached_than_input_tokens_is_malformed_and_records_none(
        fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    fake.openai.then(ok(POSITIVE, tokens_in=100, cache_read=200), ok(POSITIVE))
    run, _ = analyzer(tenant, ai_settings(ai_providers=["openai"]))
    assert run.analyse(TASK, TEXT).attempts == 2
    assert cache_calls(tenant)[0] == ("openai", "retry", "malformed", 0, 0, 0, 0, Decimal(0))


# A price table of the test's own: a model that reports and bills OpenAI cache writes (GPT-5.6 and later
# do, at 1.25 x input), and one without cache rates.
OWN_PRICES = """read_on = 2027-01-15

[openai."gpt-5.6"]
input = 2.00
cache_read = 0.20
cache_write = 2.50
output = 12.00

[openai."gpt-5.4-mini"]
input = 1.25
output = 10
"""


def test_openai_cache_writes_are_part_of_tokens_in_and_priced_at_the_write_rate(
        fake, ai_settings, analyzer, make_tenant, tmp_path):
    path = tmp_path / "prices.toml"
    path.write_text(OWN_PRICES)
    tenant = make_tenant()
    # On the tenant's own key: the session's database is shared, and a platform-paid call of a model the
    # packaged table does not price would stop the cost collection, which prices those from that table.
    set_tenant_key(tenant, "openai", "sk-tenant-own-account-56")
    fake.openai.then(ok(POSITIVE, tokens_in=5_000, tokens_out=100, cache_read=1_000, cache_write=3_000))
    run, _ = analyzer(tenant, ai_settings(ai_providers=["openai"], openai_model="gpt-5.6",
                                          ai_prices_path=path))
    assert run.analyse(TASK, TEXT).model == "gpt-5.6"
    # 1000 fresh x 2.00 + 1000 x 0.20 + 3000 x 2.50 + 100 x 12.00 = 2000 + 200 + 7500 + 1200
    assert cache_calls(tenant) == [("openai", "ok", None, 5_000, 1_000, 3_000, 100, Decimal("0.0109"))]
    assert key_sources(tenant) == [("openai", "ok", "tenant")]


def test_cache_tokens_without_a_cache_rate_are_recorded_without_a_cost(
        fake, ai_settings, analyzer, make_tenant, tmp_path, caplog):
    path = tmp_path / "prices.toml"
    path.write_text(OWN_PRICES)
    tenant = make_tenant()
    fake.openai.then(ok(POSITIVE, tokens_in=2_000, tokens_out=85, cache_read=1_500),
                     ok(NEGATIVE, tokens_in=1_200, tokens_out=85))
    run, _ = analyzer(tenant, ai_settings(ai_providers=["openai"], ai_prices_path=path))
    run.analyse(TASK, TEXT)
    run.analyse(dataclasses.replace(TASK, prompt_version="v2"), TEXT)
    # Not 0, nor 2000 x 1.25 as if the cached tokens were plain input: unknown. Without cache tokens the
    # model is priced as ever (1200 x 1.25 + 85 x 10).
    assert cache_calls(tenant) == [("openai", "ok", None, 2_000, 1_500, 0, 85, None),
                                   ("openai", "ok", None, 1_200, 0, 0, 85, Decimal("0.00235"))]
    assert "gpt-5.4-mini has no price in" in caplog.text
    with db.connect("owner") as conn, db.tenant_transaction(conn, tenant.id):
        (total,) = usage.totals(conn, tenant.id)
    assert (total["tokens_in"], total["cache_read_tokens"], total["cost_usd"], total["unpriced_calls"]) == (
        3_200, 1_500, Decimal("0.00235"), 1)


def test_the_ledger_refuses_cache_tokens_that_are_not_parts_of_tokens_in(make_tenant):
    tenant = make_tenant()
    insert = ("insert into app.ai_calls (tenant_id, analysis_id, task, prompt_version, provider, model, "
              "outcome, tokens_in, cache_read_tokens, cache_write_tokens, cache_key) values (%s, "
              "gen_random_uuid(), 't', 'v1', 'local', 'm', 'skipped', %s, %s, %s, 'k')")
    with db.connect("owner") as conn:
        conn.execute(insert, [tenant.id, 100, 60, 40])  # all of it from the cache: fine
        for counts, constraint in (((100, 60, 41), "ai_calls_cache_tokens_are_parts_of_tokens_in"),
                                   ((100, -1, 0), "ai_calls_cache_read_tokens_check"),
                                   ((100, 0, -1), "ai_calls_cache_write_tokens_check"),
                                   ((2**31 - 1, 2**31 - 1, 2**31 - 1),
                                    "ai_calls_cache_tokens_are_parts_of_tokens_in")):
            with pytest.raises(psycopg.errors.CheckViolation) as refused, conn.transaction():
                conn.execute(insert, [tenant.id, *counts])
            assert refused.value.diag.constraint_name == constraint
        assert conn.execute("select tokens_in, cache_read_tokens, cache_write_tokens from app.ai_calls "
                            "where tenant_id = %s", [tenant.id]).fetchall() == [(100, 60, 40)]
