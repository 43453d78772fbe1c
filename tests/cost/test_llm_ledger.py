"""LLM calls into the ledger: tokens by kind, priced by the dated AI price table, exactly.

The two providers count cache tokens differently (Anthropic outside input_tokens, OpenAI inside); the AI
layer stores both alike (tests/ai/test_prompt_cache.py proves it from each API's own bodies), so the rows
here are what each provider's answer is stored as. Rates (earmark/ai/prices.toml): gpt-5.4 input 2.50,
cached 0.25, output 15.00; claude-sonnet-4-6 input 3.00, cache read 0.30, cache write 3.75, output 15.00.
"""

from decimal import Decimal
from uuid import uuid4

import dagster as dg
import pytest

from earmark import db
from earmark.ai.providers import usage
from pipelines.defs.cost import cost_usage

D = Decimal


def _call(tenant, provider, model, key_source="platform", **tokens) -> None:
    call = usage.Call(uuid4(), "ad_reads", "v1", provider, model, uuid4().hex, "ok", key_source=key_source,
                      **tokens)
    with db.connect("owner") as conn, db.tenant_transaction(conn, tenant.id):
        usage.record(conn, tenant.id, call)


def _ledger(tenant) -> dict:
    with db.connect("owner") as conn:
        rows = conn.execute("select resource_id, resource, quantity, billed_cost, service_provider "
                            "from cost.usage_events where tenant_id = %s and source = 'ai_calls'",
                            [tenant.id])
        return {(m, r): (q, c, p) for m, r, q, c, p in rows}


def test_both_providers_cache_tokens_are_priced_at_their_own_rates(make_tenant, dagster_instance):
    tenant = make_tenant()
    # OpenAI: 10,000 input of which 8,000 were cached reads; 500 output
    _call(tenant, "openai", "gpt-5.4", tokens_in=10_000, cache_read_tokens=8_000, tokens_out=500)
    # Anthropic: input_tokens 1,000 + cache_creation 2,000 + cache_read 7,000 = 10,000 stored; 400 output
    _call(tenant, "anthropic", "claude-sonnet-4-6", tokens_in=10_000, cache_read_tokens=7_000,
          cache_write_tokens=2_000, tokens_out=400)
    # a call on the tenant's own key: measured, but the platform paid nothing
    _call(tenant, "openai", "gpt-5.4", key_source="tenant", tokens_in=1_000, tokens_out=100)
    assert dg.materialize([cost_usage], instance=dagster_instance).success
    ledger = _ledger(tenant)
    assert {k: v for k, v in ledger.items() if k[0] == "anthropic/claude-sonnet-4-6"} == {
        ("anthropic/claude-sonnet-4-6", "llm_input_tokens"): (1_000, D("0.003"), "Anthropic"),
        ("anthropic/claude-sonnet-4-6", "llm_cache_read_tokens"): (7_000, D("0.0021"), "Anthropic"),
        ("anthropic/claude-sonnet-4-6", "llm_cache_write_tokens"): (2_000, D("0.0075"), "Anthropic"),
        ("anthropic/claude-sonnet-4-6", "llm_output_tokens"): (400, D("0.006"), "Anthropic"),
    }
    with db.connect("owner") as conn:
        openai = conn.execute(
            "select resource, quantity, billed_cost, tags ->> 'key_source' from cost.usage_events "
            "where tenant_id = %s and resource_id = 'openai/gpt-5.4' order by 4, 1", [tenant.id]).fetchall()
    assert openai == [
        ("llm_cache_read_tokens", 8_000, D("0.002"), "platform"),  # 8,000 x 0.25 / 1M
        ("llm_input_tokens", 2_000, D("0.005"), "platform"),  # the 2,000 not cached, x 2.50 / 1M
        ("llm_output_tokens", 500, D("0.0075"), "platform"),
        ("llm_input_tokens", 1_000, D("0"), "tenant"), ("llm_output_tokens", 100, D("0"), "tenant"),
    ]


def test_a_platform_call_of_a_model_without_a_price_fails_the_collection_loudly(make_tenant,
                                                                                dagster_instance):
    tenant = make_tenant()
    _call(tenant, "openai", "gpt-unpriced-1", tokens_in=100, tokens_out=10)
    try:
        result = dg.materialize([cost_usage], instance=dagster_instance, raise_on_error=False)
        assert not result.success
        failure = result.get_step_failure_events()[0].step_failure_data.user_failure_data.description
        assert failure.startswith("The openai model 'gpt-unpriced-1' has no price on ")
        assert failure.endswith("and 100 input tokens of a platform-paid call need one: add it there "
                                "and run the cost collection again.")
        assert _ledger(tenant) == {}  # nothing was written: the whole collection is one transaction
    finally:
        # the shared test database must not keep a call every later collection would refuse
        with db.connect("owner") as conn:
            conn.execute("delete from app.ai_calls where tenant_id = %s", [tenant.id])


@pytest.mark.parametrize("model", ["gpt-5.4"])
def test_the_cost_of_a_call_is_the_price_on_its_own_day(model):
    from datetime import date

    from earmark.ai.providers import prices

    table = prices._parse('read_on = 2026-12-01\n[[openai."gpt-5.4"]]\nfrom = 2026-01-01\ninput = 2.50\n'
                          'output = 15.00\ncache_read = 0.25\ncache_write = 2.50\n[[openai."gpt-5.4"]]\n'
                          'from = 2026-06-01\ninput = 2.00\noutput = 12.00\n'
                          'cache_read = 0.20\ncache_write = 2.00\n',
                          "dated.toml")
    assert prices.price_on(table, "openai", model, date(2026, 5, 31)).input_per_million == D("2.50")
    assert prices.price_on(table, "openai", model, date(2026, 6, 1)).input_per_million == D("2.00")
    assert prices.price_on(table, "openai", model, date(2025, 12, 31)) is None
