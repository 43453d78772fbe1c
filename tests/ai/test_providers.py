"""The AI provider layer against the official SDKs, pointed at a local server that speaks their protocols:
structured outputs sent the provider's way, retries with backoff, fallback down to the local analyzer
(also from bodies that are not the API's and from unexpected exceptions), usage, cost and whose key paid
in app.ai_calls, the price table, the per-tenant cache, keys that never leak, and the `earmark ai` CLI."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import typing
from decimal import Decimal

import psycopg
import pytest
from fake_llm import ANTHROPIC_KEY, OPENAI_KEY, hang, malformed, ok, raw_body, status, without
from pydantic import SecretStr
from typer.testing import CliRunner

from earmark import db
from earmark.ai.providers import (
    Analyzer,
    FinalError,
    MalformedAnswer,
    Task,
    TaskError,
    keys,
    order,
    prices,
    usage,
)
from earmark.ai.providers.anthropic_provider import AnthropicProvider
from earmark.ai.providers.local import local_model
from earmark.ai.providers.openai_provider import OpenAIProvider
from earmark.settings import AiProvider, Settings, get_settings

SCHEMA = {
    "type": "object",
    "properties": {
        "sentiment": {"type": "string", "enum": ["positive", "neutral", "negative"]},
        "topics": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["sentiment", "topics"],
    "additionalProperties": False,
}
LOCAL_ANSWER = {"sentiment": "neutral", "topics": []}
TASK = Task("episode_sentiment", "v1", "Classify the sentiment of this podcast ad read and list its topics.",
            SCHEMA, lambda text: LOCAL_ANSWER)
TEXT = "This episode is brought to you by Stride running shoes. Use code RUN20 for 20% off."
POSITIVE = {"sentiment": "positive", "topics": ["running shoes"]}
NEGATIVE = {"sentiment": "negative", "topics": []}
LOCAL = local_model()


def calls(tenant) -> list[tuple]:
    with db.connect("owner") as conn:
        return conn.execute(
            "select provider, model, outcome, http_status, error, tokens_in, tokens_out, cost_usd "
            "from app.ai_calls where tenant_id = %s order by called_at", [tenant.id]).fetchall()


def key_sources(tenant) -> list[tuple]:
    with db.connect("owner") as conn:
        return conn.execute("select provider, outcome, key_source from app.ai_calls where tenant_id = %s "
                            "order by called_at", [tenant.id]).fetchall()


def set_tenant_key(tenant, provider: str, key: str, settings: Settings | None = None) -> None:
    with db.connect("owner") as conn, db.tenant_transaction(conn, tenant.id):
        keys.set_key(conn, tenant.id, provider, key, settings or get_settings())


# (a), (b): each SDK's structured-output mechanism, the key in its header, usage and cost recorded.

def test_openai_answers_through_the_responses_api_and_its_usage_and_cost_are_recorded(
        fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    fake.openai.then(ok(POSITIVE, tokens_in=1200, tokens_out=85))
    run, sleeps = analyzer(tenant, ai_settings(ai_providers=["openai"]))
    answer = run.analyse(TASK, TEXT)
    assert (answer.data, answer.provider, answer.model, answer.cached, answer.attempts) == (
        POSITIVE, "openai", "gpt-5.4-mini", False, 1)
    (request,) = fake.openai.requests
    assert request.path == "/v1/responses"
    assert request.headers["authorization"] == f"Bearer {OPENAI_KEY}"
    assert request.headers["x-stainless-retry-count"] == "0"  # the SDK's own retries are off
    assert request.body["text"] == {"format": {"type": "json_schema", "name": "episode_sentiment",
                                               "schema": SCHEMA, "strict": True}}
    body = request.body
    assert (body["model"], body["instructions"], body["input"], body["store"]) == (
        "gpt-5.4-mini", TASK.instructions, TEXT, False)
    # 1200 x 0.75 / 1e6 + 85 x 4.50 / 1e6 (gpt-5.4-mini in prices.toml)
    assert calls(tenant) == [("openai", "gpt-5.4-mini", "ok", None, None, 1200, 85, Decimal("0.0012825"))]
    assert sleeps == [] and fake.anthropic.count == 0


def test_anthropic_answers_through_messages_structured_outputs_and_its_usage_and_cost_are_recorded(
        fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    fake.anthropic.then(ok(NEGATIVE, tokens_in=2000, tokens_out=150))
    run, _ = analyzer(tenant, ai_settings(ai_providers=["anthropic", "local"]))
    answer = run.analyse(TASK, TEXT)
    assert (answer.data, answer.provider, answer.model, answer.attempts) == (
        NEGATIVE, "anthropic", "claude-haiku-4-5", 1)
    (request,) = fake.anthropic.requests
    assert request.path == "/v1/messages"
    assert request.headers["authorization"] == f"Bearer {ANTHROPIC_KEY}"  # how SDK 2.x sends an API key
    assert "anthropic-beta" not in request.headers  # structured outputs are GA: no beta header
    sent = request.body["output_config"]["format"]
    assert sent["type"] == "json_schema"
    assert sent["schema"]["required"] == ["sentiment", "topics"]
    assert sent["schema"]["additionalProperties"] is False
    assert sent["schema"]["properties"]["sentiment"]["enum"] == ["positive", "neutral", "negative"]
    assert (request.body["system"], request.body["messages"], request.body["max_tokens"]) == (
        TASK.instructions, [{"role": "user", "content": TEXT}], 4096)
    # 2000 x 1.00 / 1e6 + 150 x 5.00 / 1e6 (claude-haiku-4-5 in prices.toml)
    assert calls(tenant) == [
        ("anthropic", "claude-haiku-4-5", "ok", None, None, 2000, 150, Decimal("0.00275"))]


# (c), (d), (e): retries with backoff, then fallback, then the local analyzer.

def test_a_429_then_a_500_are_retried_with_backoff_and_the_third_attempt_answers(
        fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    fake.openai.then(status(429), status(500), ok(POSITIVE))
    run, sleeps = analyzer(tenant, ai_settings(ai_providers=["openai"]))
    answer = run.analyse(TASK, TEXT)
    assert (answer.data, answer.provider, answer.attempts) == (POSITIVE, "openai", 3)
    assert fake.openai.count == 3
    assert sleeps == [0.375, 0.75]  # 0.5 s then 1 s steps, each at 3/4 with jitter 0.5
    assert [row[2:5] for row in calls(tenant)] == [
        ("retry", 429, "http"), ("retry", 500, "http"), ("ok", None, None)]


def test_a_retry_after_header_is_waited_for_when_longer_than_the_backoff(
        fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    fake.openai.then(status(429, retry_after="2"), ok(POSITIVE))
    run, sleeps = analyzer(tenant, ai_settings(ai_providers=["openai"]))
    assert run.analyse(TASK, TEXT).attempts == 2
    assert sleeps == [2.0]


def test_retries_exhausted_on_openai_fall_back_to_anthropic(fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    fake.openai.then(status(500), status(502), status(503))
    fake.anthropic.then(ok(NEGATIVE))
    run, sleeps = analyzer(tenant, ai_settings())
    answer = run.analyse(TASK, TEXT)
    assert (answer.data, answer.provider, answer.attempts) == (NEGATIVE, "anthropic", 4)
    assert (fake.openai.count, fake.anthropic.count) == (3, 1)
    assert sleeps == [0.375, 0.75]
    assert [row[:4] for row in calls(tenant)] == [
        ("openai", "gpt-5.4-mini", "retry", 500), ("openai", "gpt-5.4-mini", "retry", 502),
        ("openai", "gpt-5.4-mini", "failed", 503), ("anthropic", "claude-haiku-4-5", "ok", None)]


def test_when_both_providers_fail_the_local_analyzer_answers(fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    fake.openai.then(status(500), status(500), status(500))
    fake.anthropic.then(status(429), status(529), status(429))
    run, sleeps = analyzer(tenant, ai_settings())
    answer = run.analyse(TASK, TEXT)
    assert (answer.data, answer.provider, answer.model, answer.cached, answer.attempts) == (
        LOCAL_ANSWER, "local", LOCAL, False, 7)
    assert sleeps == [0.375, 0.75, 0.375, 0.75]
    assert [row[:3] for row in calls(tenant)] == [
        ("openai", "gpt-5.4-mini", "retry"), ("openai", "gpt-5.4-mini", "retry"),
        ("openai", "gpt-5.4-mini", "failed"), ("anthropic", "claude-haiku-4-5", "retry"),
        ("anthropic", "claude-haiku-4-5", "retry"), ("anthropic", "claude-haiku-4-5", "failed"),
        ("local", LOCAL, "ok")]
    assert calls(tenant)[-1][5:] == (0, 0, Decimal(0))


def test_a_client_error_is_not_retried_and_falls_back_at_once(fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    fake.openai.then(status(400))
    fake.anthropic.then(ok(POSITIVE))
    run, sleeps = analyzer(tenant, ai_settings())
    assert run.analyse(TASK, TEXT).provider == "anthropic"
    assert (fake.openai.count, sleeps) == (1, [])
    assert [row[2:5] for row in calls(tenant)][0] == ("failed", 400, "http")


def test_a_provider_that_hangs_past_the_timeout_is_retried(fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    fake.openai.then(hang(3), ok(POSITIVE))
    run, sleeps = analyzer(tenant, ai_settings(ai_providers=["openai"]))
    answer = run.analyse(TASK, TEXT)
    assert (answer.data, answer.provider, answer.attempts) == (POSITIVE, "openai", 2)
    assert sleeps == [0.375]
    with db.connect("owner") as conn:
        rows = conn.execute("select outcome, http_status, error, latency_ms from app.ai_calls "
                            "where tenant_id = %s order by called_at", [tenant.id]).fetchall()
    assert [row[:3] for row in rows] == [("retry", None, "timeout"), ("ok", None, None)]
    # Recorded, whatever it was: how long things take is bench/'s business, not a unit test's.
    assert all(isinstance(row[3], int) and row[3] >= 0 for row in rows)


# (f): a malformed answer is retried once on the same provider, then falls back; its tokens are billed.

def test_malformed_json_is_retried_once_and_its_tokens_are_recorded(fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    fake.openai.then(malformed(tokens_in=1200, tokens_out=40), ok(POSITIVE))
    run, sleeps = analyzer(tenant, ai_settings(ai_providers=["openai"]))
    answer = run.analyse(TASK, TEXT)
    assert (answer.data, answer.provider, answer.attempts) == (POSITIVE, "openai", 2)
    # 1200 x 0.75 / 1e6 + 40 x 4.50 / 1e6: the cut-off answer was billed
    assert calls(tenant)[0] == (
        "openai", "gpt-5.4-mini", "retry", None, "malformed", 1200, 40, Decimal("0.00108"))
    assert sleeps == [0.375]


def test_a_second_malformed_answer_falls_back_without_spending_the_remaining_retries(
        fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    # Valid JSON outside the schema (an enum the schema lacks) is malformed too.
    fake.openai.then(malformed(), ok({"sentiment": "ecstatic", "topics": []}), ok(POSITIVE))
    fake.anthropic.then(ok(NEGATIVE))
    run, _ = analyzer(tenant, ai_settings())
    answer = run.analyse(TASK, TEXT)
    assert (answer.data, answer.provider) == (NEGATIVE, "anthropic")
    assert fake.openai.count == 2  # not 3, though ai_max_retries is 2
    assert [row[:5] for row in calls(tenant)] == [
        ("openai", "gpt-5.4-mini", "retry", None, "malformed"),
        ("openai", "gpt-5.4-mini", "failed", None, "malformed"),
        ("anthropic", "claude-haiku-4-5", "ok", None, None)]


# A 2xx body that is not the API's (a proxy's login page, broken JSON, `{}`, a field missing) is a malformed
# answer; anything else a provider raises fails that provider. Neither stops the analysis.

PROXY_PAGE = raw_body(200, "<html><body><h1>Sign in to the corporate proxy</h1></body></html>", "text/html")
NOT_JSON = raw_body(200, "{not json")
EMPTY_OBJECT = raw_body(200, "{}")


@pytest.mark.parametrize("body", [PROXY_PAGE, NOT_JSON, EMPTY_OBJECT], ids=["html", "not_json", "empty"])
def test_an_openai_body_that_is_not_the_apis_falls_back_to_anthropic(
        body, fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    fake.openai.then(body, body)
    fake.anthropic.then(ok(NEGATIVE))
    run, sleeps = analyzer(tenant, ai_settings())
    answer = run.analyse(TASK, TEXT)
    assert (answer.data, answer.provider, answer.attempts) == (NEGATIVE, "anthropic", 3)
    assert (fake.openai.count, sleeps) == (2, [0.375])  # retried once, as any malformed answer
    assert calls(tenant) == [
        ("openai", "gpt-5.4-mini", "retry", None, "malformed", 0, 0, Decimal(0)),
        ("openai", "gpt-5.4-mini", "failed", None, "malformed", 0, 0, Decimal(0)),
        ("anthropic", "claude-haiku-4-5", "ok", None, None, 1200, 85, Decimal("0.001625"))]
    with db.connect("owner") as conn:
        assert conn.execute("select count(distinct analysis_id) from app.ai_calls where tenant_id = %s",
                            [tenant.id]).fetchone() == (1,)


@pytest.mark.parametrize("body", [PROXY_PAGE, NOT_JSON, EMPTY_OBJECT, without(NEGATIVE, "usage")],
                         ids=["html", "not_json", "empty", "no_usage"])
def test_an_anthropic_body_that_is_not_the_apis_falls_back_to_local(
        body, fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    fake.anthropic.then(body, body)
    run, _ = analyzer(tenant, ai_settings(ai_providers=["anthropic", "local"]))
    answer = run.analyse(TASK, TEXT)
    assert (answer.data, answer.provider, answer.attempts) == (LOCAL_ANSWER, "local", 3)
    assert calls(tenant) == [
        ("anthropic", "claude-haiku-4-5", "retry", None, "malformed", 0, 0, Decimal(0)),
        ("anthropic", "claude-haiku-4-5", "failed", None, "malformed", 0, 0, Decimal(0)),
        ("local", LOCAL, "ok", None, None, 0, 0, Decimal(0))]


def test_a_body_without_its_answer_still_records_the_tokens_it_says_were_billed(
        fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    fake.anthropic.then(without(NEGATIVE, "content"), ok(NEGATIVE))
    run, _ = analyzer(tenant, ai_settings(ai_providers=["anthropic"]))
    assert run.analyse(TASK, TEXT).attempts == 2
    # 1200 x 1.00 / 1e6 + 85 x 5.00 / 1e6
    assert calls(tenant)[0] == (
        "anthropic", "claude-haiku-4-5", "retry", None, "malformed", 1200, 85, Decimal("0.001625"))


@pytest.mark.parametrize("provider_class", [OpenAIProvider, AnthropicProvider])
def test_a_body_that_is_not_the_apis_is_a_malformed_answer_that_quotes_nothing_of_it(
        provider_class, fake, ai_settings):
    script = fake.openai if provider_class is OpenAIProvider else fake.anthropic
    provider = provider_class(SecretStr("sk-unused"), ai_settings())
    for body in (PROXY_PAGE, NOT_JSON, EMPTY_OBJECT):
        script.then(body)
        with pytest.raises(MalformedAnswer) as failed:
            provider.complete(TASK, TEXT)
        error = failed.value
        assert (error.kind, error.tokens_in, error.tokens_out, error.retryable) == ("malformed", 0, 0, True)
        assert str(error).startswith(f"{provider.name}'s answer for task episode_sentiment is not a ")
        assert "proxy" not in str(error) and "not json" not in str(error)
        assert error.__cause__ is None and error.__suppress_context__


def test_an_unexpected_exception_fails_that_provider_and_the_next_one_answers(
        fake, ai_settings, analyzer, make_tenant, monkeypatch, caplog):
    def broken(self, task, text):
        raise RuntimeError(f"a bug that quotes the key {OPENAI_KEY}")

    monkeypatch.setattr(OpenAIProvider, "complete", broken)
    tenant = make_tenant()
    fake.anthropic.then(ok(NEGATIVE))
    run, sleeps = analyzer(tenant, ai_settings())
    answer = run.analyse(TASK, TEXT)
    assert (answer.data, answer.provider, answer.attempts) == (NEGATIVE, "anthropic", 2)
    assert sleeps == []  # not retried
    assert calls(tenant) == [
        ("openai", "gpt-5.4-mini", "failed", None, "unexpected", 0, 0, Decimal(0)),
        ("anthropic", "claude-haiku-4-5", "ok", None, None, 1200, 85, Decimal("0.001625"))]
    assert key_sources(tenant)[0] == ("openai", "failed", "platform")
    with db.connect("owner") as conn:
        stored = conn.execute("select string_agg(c::text, '') from app.ai_calls c where tenant_id = %s",
                              [tenant.id]).fetchone()[0]
    assert OPENAI_KEY not in stored and "a bug" not in stored
    assert OPENAI_KEY not in caplog.text and "RuntimeError" in caplog.text


def test_when_every_provider_breaks_unexpectedly_the_local_analyzer_answers(
        fake, ai_settings, analyzer, make_tenant, monkeypatch):
    def broken(self, task, text):
        raise KeyError("surprise")

    monkeypatch.setattr(OpenAIProvider, "complete", broken)
    monkeypatch.setattr(AnthropicProvider, "complete", broken)
    tenant = make_tenant()
    run, _ = analyzer(tenant, ai_settings())
    assert run.analyse(TASK, TEXT).provider == "local"
    assert [row[:5] for row in calls(tenant)] == [
        ("openai", "gpt-5.4-mini", "failed", None, "unexpected"),
        ("anthropic", "claude-haiku-4-5", "failed", None, "unexpected"),
        ("local", LOCAL, "ok", None, None)]


# (g): the cache.

def test_a_rerun_is_answered_from_the_cache_without_a_request(fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    fake.openai.then(ok(POSITIVE), ok(NEGATIVE), ok(NEGATIVE))
    settings = ai_settings(ai_providers=["openai"])
    run, _ = analyzer(tenant, settings)
    first = run.analyse(TASK, TEXT)
    again = run.analyse(TASK, TEXT)
    assert fake.openai.count == 1
    assert (again.data, again.provider, again.model, again.cached, again.attempts) == (
        POSITIVE, "openai", "gpt-5.4-mini", True, 0)
    assert again.analysis_id != first.analysis_id
    assert calls(tenant)[-1] == ("openai", "gpt-5.4-mini", "cached", None, None, 0, 0, Decimal(0))
    # A new prompt version misses, and so does another model.
    assert run.analyse(dataclasses.replace(TASK, prompt_version="v2"), TEXT).data == NEGATIVE
    other_model, _ = analyzer(tenant, ai_settings(ai_providers=["openai"], openai_model="gpt-5.4"))
    assert other_model.analyse(TASK, TEXT).model == "gpt-5.4"
    assert fake.openai.count == 3


def test_a_rerun_after_a_fallback_costs_nothing_either(fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    fake.openai.then(status(500), status(500), status(500))
    fake.anthropic.then(ok(NEGATIVE))
    run, _ = analyzer(tenant, ai_settings())
    run.analyse(TASK, TEXT)
    rerun = run.analyse(TASK, TEXT)
    assert (rerun.provider, rerun.cached, rerun.data) == ("anthropic", True, NEGATIVE)
    assert (fake.openai.count, fake.anthropic.count) == (3, 1)


def test_local_answers_are_not_cached(fake, ai_settings, analyzer, make_tenant):
    """They cost nothing, and a cached one would outlive a fix to the local analyzer."""
    tenant = make_tenant()
    run, _ = analyzer(tenant, ai_settings(ai_providers=["local"]))
    assert [run.analyse(TASK, TEXT).cached for _ in range(2)] == [False, False]
    with db.connect("owner") as conn:
        assert conn.execute("select count(*) from app.ai_cache where tenant_id = %s", [tenant.id]
                            ).fetchone() == (0,)


# (h): tenants share neither cache nor usage.

def test_two_tenants_never_share_cache_or_usage_rows(fake, ai_settings, analyzer, make_tenant, api_conn):
    first, second = make_tenant(), make_tenant()
    fake.openai.then(ok(POSITIVE), ok(NEGATIVE))
    settings = ai_settings(ai_providers=["openai"])
    assert analyzer(first, settings)[0].analyse(TASK, TEXT).data == POSITIVE
    answer = analyzer(second, settings)[0].analyse(TASK, TEXT)
    assert (answer.data, answer.cached, fake.openai.count) == (NEGATIVE, False, 2)
    with db.tenant_transaction(api_conn, first.id):
        seen = api_conn.execute("select tenant_id, outcome from app.ai_calls").fetchall()
    assert seen == [(first.id, "ok")]
    with pytest.raises(psycopg.errors.InsufficientPrivilege), db.tenant_transaction(api_conn, first.id):
        api_conn.execute("select count(*) from app.ai_cache")
    with db.connect("transformer") as conn:
        # Without a tenant the pipelines' role sees nothing: it has no platform-wide policy here.
        assert conn.execute("select (select count(*) from app.ai_cache), (select count(*) from app.ai_calls)"
                            ).fetchone() == (0, 0)
        with db.tenant_transaction(conn, second.id):
            assert conn.execute("select answer from app.ai_cache").fetchall() == [(NEGATIVE,)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege), db.tenant_transaction(conn, first.id):
            conn.execute("insert into app.ai_calls (tenant_id, analysis_id, task, prompt_version, provider, "
                         "model, outcome, cache_key) values (%s, gen_random_uuid(), 't', 'v1', 'local', 'm', "
                         "'ok', 'k')", [second.id])


# (i): keys.

def test_a_tenants_sealed_key_is_preferred_over_the_platforms(fake, ai_settings, analyzer, make_tenant):
    own, other = make_tenant(), make_tenant()
    set_tenant_key(own, "openai", "sk-tenant-own-account-42")
    fake.openai.then(ok(POSITIVE), ok(POSITIVE))
    settings = ai_settings(ai_providers=["openai"])
    analyzer(own, settings)[0].analyse(TASK, TEXT)
    analyzer(other, settings)[0].analyse(TASK, TEXT)
    assert [r.headers["authorization"] for r in fake.openai.requests] == [
        "Bearer sk-tenant-own-account-42", f"Bearer {OPENAI_KEY}"]
    # The ledger says whose account paid.
    assert key_sources(own) == [("openai", "ok", "tenant")]
    assert key_sources(other) == [("openai", "ok", "platform")]


def test_every_call_a_key_paid_for_says_whose_and_no_other_row_does(fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    set_tenant_key(tenant, "anthropic", "sk-ant-tenant-own-7")
    fake.anthropic.then(status(500), ok(NEGATIVE))
    run, _ = analyzer(tenant, ai_settings(openai_api_key=None))
    run.analyse(TASK, TEXT)
    run.analyse(TASK, TEXT)  # cached
    local_only, _ = analyzer(tenant, ai_settings(ai_providers=["local"]))
    local_only.analyse(TASK, TEXT)
    assert key_sources(tenant) == [
        ("openai", "skipped", None), ("anthropic", "retry", "tenant"), ("anthropic", "ok", "tenant"),
        ("anthropic", "cached", None), ("local", "ok", None)]
    with pytest.raises(psycopg.errors.CheckViolation), db.connect("owner") as conn:
        # A local answer no key paid for cannot claim one did.
        conn.execute("insert into app.ai_calls (tenant_id, analysis_id, task, prompt_version, provider, "
                     "model, outcome, cache_key, key_source) values (%s, gen_random_uuid(), 't', 'v1', "
                     "'local', 'm', 'ok', 'k', 'platform')", [tenant.id])


def test_a_provider_without_a_key_is_skipped_and_recorded(fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    fake.anthropic.then(ok(NEGATIVE))
    run, _ = analyzer(tenant, ai_settings(openai_api_key=None))
    assert run.analyse(TASK, TEXT).provider == "anthropic"
    assert fake.openai.count == 0
    assert [row[:5] for row in calls(tenant)] == [
        ("openai", "gpt-5.4-mini", "skipped", None, "no_key"),
        ("anthropic", "claude-haiku-4-5", "ok", None, None)]
    nothing, _ = analyzer(make_tenant(), ai_settings(openai_api_key=None, anthropic_api_key=None))
    assert nothing.analyse(TASK, TEXT).provider == "local"


def test_a_sealed_key_that_no_longer_opens_skips_the_provider_rather_than_billing_the_platform(
        fake, ai_settings, analyzer, make_tenant):
    tenant = make_tenant()
    set_tenant_key(tenant, "openai", "sk-tenant-own-account-42")
    rotated = ai_settings(ai_providers=["openai"], secret_key=SecretStr("a-rotated-secret-" * 4))
    assert analyzer(tenant, rotated)[0].analyse(TASK, TEXT).provider == "local"
    assert fake.openai.count == 0
    assert calls(tenant)[0][2:5] == ("skipped", None, "unreadable_key")


def test_a_key_is_never_in_the_database_logs_or_errors(fake, ai_settings, analyzer, make_tenant, caplog):
    caplog.set_level(logging.DEBUG)  # the SDKs' and httpx's debug records too
    tenant = make_tenant()
    secret = "sk-tenant-SECRET-7f3a9c1e5b"
    set_tenant_key(tenant, "openai", secret)
    set_tenant_key(tenant, "anthropic", secret)
    # Both answer 401 with bodies that quote the key, as OpenAI's does.
    fake.openai.then(status(401))
    fake.anthropic.then(status(401))
    run, _ = analyzer(tenant, ai_settings())
    assert run.analyse(TASK, TEXT).provider == "local"
    assert [r.headers["authorization"] for r in fake.openai.requests + fake.anthropic.requests] == [
        f"Bearer {secret}"] * 2
    assert secret not in caplog.text
    with db.connect("owner") as conn:
        stored = conn.execute(
            "select (select string_agg(k::text, '') from app.ai_provider_keys k where tenant_id = %(t)s), "
            "(select string_agg(c::text, '') from app.ai_calls c where tenant_id = %(t)s), "
            "(select string_agg(sealed, ''::bytea) from app.ai_provider_keys where tenant_id = %(t)s)",
            {"t": tenant.id}).fetchone()
    assert secret not in stored[0] and secret not in stored[1]
    assert secret.encode() not in stored[2]
    fake.openai.then(status(401))
    provider = OpenAIProvider(SecretStr(secret), ai_settings())
    with pytest.raises(FinalError) as refused:
        provider.complete(TASK, TEXT)
    error = refused.value
    assert str(error) == "openai refused the request with HTTP 401."
    assert secret not in repr(error) and error.__cause__ is None and error.__suppress_context__
    assert secret not in repr(provider)
    with db.connect("owner") as conn, db.tenant_transaction(conn, tenant.id):
        resolved = keys.resolve(conn, tenant.id, "openai", ai_settings())
    assert (resolved.source, resolved.secret.get_secret_value()) == ("tenant", secret)
    assert secret not in repr(resolved)


def test_the_sdks_usual_key_variables_are_accepted(monkeypatch):
    for name in ("EARMARK_OPENAI_API_KEY", "EARMARK_ANTHROPIC_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-standard")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-standard")
    monkeypatch.setenv("EARMARK_AI_PROVIDERS", "Anthropic, openai")
    settings = Settings()
    assert (settings.openai_api_key.get_secret_value(), settings.anthropic_api_key.get_secret_value()) == (
        "sk-standard", "sk-ant-standard")
    assert settings.ai_providers == ["anthropic", "openai"]
    monkeypatch.setenv("EARMARK_OPENAI_API_KEY", "sk-earmark")  # Earmark's own name wins
    assert Settings().openai_api_key.get_secret_value() == "sk-earmark"


# Orders and tasks: the rules a tenant's order and a task definition must follow.

def test_an_order_ends_with_local_and_names_each_provider_once():
    assert order.parse("openai, Anthropic") == ("openai", "anthropic", "local")
    assert order.parse(["local"]) == ("local",)
    with pytest.raises(order.OrderError, match="end it with local"):
        order.parse("local,openai")
    with pytest.raises(order.OrderError, match="names openai more than once"):
        order.parse("openai,openai")
    with pytest.raises(order.OrderError, match="names gemini; choose from openai, anthropic, local"):
        order.parse("gemini")


def test_a_task_schema_must_be_strict_for_structured_outputs():
    loose = {**SCHEMA, "properties": {**SCHEMA["properties"], "extra": {"type": "object", "properties": {}}}}
    with pytest.raises(TaskError, match=r"not strict at \$, \$.extra"):
        Task("t", "v1", "x", loose, lambda text: {})
    with pytest.raises(TaskError, match="must be 1-64 letters"):
        Task("has spaces", "v1", "x", SCHEMA, lambda text: {})


def test_provider_names_and_outcomes_in_the_schema_have_one_source(database):
    """The CHECK constraints spell out what Python builds from AiProvider, usage.Outcome and KeySource."""
    def check_values(table: str, column: str) -> list[set[str]]:
        """The values in the column's own CHECK (Postgres names it <table>_<column>_check)."""
        with db.connect("owner") as conn:
            name = f"{table.removeprefix('app.')}_{column}_check"
            definitions = [row[0] for row in conn.execute(
                "select pg_get_constraintdef(oid) from pg_constraint where conrelid = %s::regclass "
                "and contype = 'c' and conname = %s", [table, name])]
        return [set(re.findall(r"'([^']+)'", d)) for d in definitions]

    assert order.PROVIDERS == typing.get_args(AiProvider) == ("openai", "anthropic", "local")
    assert keys.KEYED_PROVIDERS == ("openai", "anthropic")
    assert check_values("app.tenant_settings", "ai_providers") == [set(order.PROVIDERS)]
    assert check_values("app.ai_calls", "provider") == [set(order.PROVIDERS)]
    assert check_values("app.ai_calls", "outcome") == [set(typing.get_args(usage.Outcome))]
    assert check_values("app.ai_calls", "key_source") == [set(typing.get_args(usage.KeySource))]
    assert check_values("app.ai_cache", "provider") == [set(keys.KEYED_PROVIDERS)]
    assert check_values("app.ai_provider_keys", "provider") == [set(keys.KEYED_PROVIDERS)]


# (j): the CLI.

@pytest.fixture
def cli(monkeypatch):
    """`earmark` in process, on settings read from an environment without provider keys."""
    from earmark.cli import app

    for name in ("EARMARK_OPENAI_API_KEY", "OPENAI_API_KEY", "EARMARK_ANTHROPIC_API_KEY", "ANTHROPIC_API_KEY",
                 "EARMARK_AI_PROVIDERS"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    runner = CliRunner()

    def _run(*args: str, input: str | None = None, code: int = 0):
        result = runner.invoke(app, list(args), input=input)
        assert result.exit_code == code, (result.output, result.exception)
        return result

    yield _run
    get_settings.cache_clear()


def test_cli_shows_and_sets_the_order_and_keys_without_printing_a_key(cli, make_tenant):
    tenant = make_tenant()
    tid = str(tenant.id)
    shown = json.loads(cli("ai", "providers", "show", "--tenant", tid, "--json").stdout)
    assert "order (platform): local" in cli("ai", "providers", "show", "--tenant", tid).stdout
    assert shown == {"tenant_id": tid, "order": ["local"], "source": "platform", "providers": [
        {"name": "openai", "model": "gpt-5.4-mini", "position": None, "key": None},
        {"name": "anthropic", "model": "claude-haiku-4-5", "position": None, "key": None},
        {"name": "local", "model": LOCAL, "position": 1, "key": "not needed"}]}
    chosen = json.loads(
        cli("ai", "providers", "set", "--tenant", tid, "--order", "anthropic,openai", "--json").stdout)
    assert (chosen["order"], chosen["source"]) == (["anthropic", "openai", "local"], "tenant")
    refused = cli("ai", "providers", "set", "--tenant", tid, "--order", "local,openai", code=1)
    assert isinstance(refused.exception, order.OrderError)

    stored = cli("ai", "keys", "set", "--tenant", tid, "--provider", "openai", input="sk-cli-key-98765\n")
    assert "sk-cli-key-98765" not in stored.output
    shown = json.loads(cli("ai", "providers", "show", "--tenant", tid, "--json").stdout)
    assert [(p["name"], p["position"], p["key"]) for p in shown["providers"]] == [
        ("openai", 2, "tenant"), ("anthropic", 1, None), ("local", 3, "not needed")]
    with db.connect("owner") as conn, db.tenant_transaction(conn, tenant.id):
        assert keys.resolve(conn, tenant.id, "openai", get_settings()).secret.get_secret_value() == (
            "sk-cli-key-98765")
    # No option takes a key on the command line.
    cli("ai", "keys", "set", "--tenant", tid, "--provider", "openai", "--key", "sk-argv", code=2)

    assert "deleted" in cli("ai", "keys", "delete", "--tenant", tid, "--provider", "openai").stdout
    assert "nothing deleted" in cli("ai", "keys", "delete", "--tenant", tid, "--provider", "openai").stdout
    reset = json.loads(cli("ai", "providers", "set", "--tenant", tid, "--platform-default", "--json").stdout)
    assert (reset["order"], reset["source"], reset["providers"][0]["key"]) == (["local"], "platform", None)


def test_cli_usage_totals_per_provider_model_and_whose_key_paid(cli, fake, ai_settings, analyzer,
                                                                make_tenant):
    tenant = make_tenant()
    fake.openai.then(status(429), ok(POSITIVE, tokens_in=1200, tokens_out=85))
    run, _ = analyzer(tenant, ai_settings(ai_providers=["openai"]))
    run.analyse(TASK, TEXT)
    run.analyse(TASK, TEXT)  # cached
    run.analyse(dataclasses.replace(TASK, prompt_version="v2"), TEXT)  # unscripted: 400, then local
    set_tenant_key(tenant, "openai", "sk-tenant-own-account-42")
    fake.openai.then(ok(NEGATIVE, tokens_in=2000, tokens_out=100))
    own, _ = analyzer(tenant, ai_settings(ai_providers=["openai"]))
    own.analyse(dataclasses.replace(TASK, prompt_version="v3"), TEXT)
    shown = cli("ai", "usage", "--tenant", str(tenant.id)).stdout
    assert "0.0012825" in shown and "platform" in shown and "tenant" in shown
    usage = json.loads(cli("ai", "usage", "--tenant", str(tenant.id), "--json").stdout)
    row = {"calls": 0, "answered": 0, "cached": 0, "tokens_in": 0, "tokens_out": 0, "cost_usd": "0",
           "unpriced_calls": 0}
    assert usage == {"tenant_id": str(tenant.id), "prices_read_on": "2026-12-02", "totals": [
        {**row, "provider": "local", "model": LOCAL, "key_source": None, "calls": 1, "answered": 1},
        {**row, "provider": "openai", "model": "gpt-5.4-mini", "key_source": None, "cached": 1},
        # the 429, the answer and the 400, on the platform's key
        {**row, "provider": "openai", "model": "gpt-5.4-mini", "key_source": "platform", "calls": 3,
         "answered": 1, "tokens_in": 1200, "tokens_out": 85, "cost_usd": "0.0012825"},
        # 2000 x 0.75 / 1e6 + 100 x 4.50 / 1e6, on the tenant's own key
        {**row, "provider": "openai", "model": "gpt-5.4-mini", "key_source": "tenant", "calls": 1,
         "answered": 1, "tokens_in": 2000, "tokens_out": 100, "cost_usd": "0.00195"}]}


# The price table: the packaged one, or an operator's own file (EARMARK_AI_PRICES).

OWN_PRICES = """read_on = 2027-01-15

[openai."gpt-5.4-mini"]
input = 1.25
output = 10

[anthropic."claude-haiku-4-5"]
input = 0.80
output = 4.00
"""


def test_an_operators_own_price_table_prices_the_calls(fake, ai_settings, analyzer, make_tenant, tmp_path,
                                                       monkeypatch):
    path = tmp_path / "prices.toml"
    path.write_text(OWN_PRICES)
    monkeypatch.setenv("EARMARK_AI_PRICES", str(path))
    assert Settings().ai_prices_path == path
    monkeypatch.setenv("EARMARK_AI_PRICES", "")
    assert Settings().ai_prices_path is None  # blank: the packaged table
    tenant = make_tenant()
    fake.openai.then(ok(POSITIVE, tokens_in=1200, tokens_out=85))
    settings = ai_settings(ai_providers=["openai"], ai_prices_path=path)
    analyzer(tenant, settings)[0].analyse(TASK, TEXT)
    # 1200 x 1.25 / 1e6 + 85 x 10 / 1e6
    assert calls(tenant)[0][7] == Decimal("0.00235")
    table = prices.price_table(settings)
    assert (table.read_on.isoformat(), table.source) == ("2027-01-15", f"{path} (EARMARK_AI_PRICES)")
    assert prices.price_table(ai_settings()).read_on.isoformat() == "2026-12-02"  # the packaged one


@pytest.mark.parametrize(("text", "problem"), [
    # tomllib's own words, which say where
    ("read_on = 2027-01-15\n[openai.\"gpt-5.4-mini\"\ninput = 1\n",
     "is not usable: it is not valid TOML (Expected ']' at the end of a table declaration (at line 2, column "
     "23))"),
    ('[openai."gpt-5.4-mini"]\ninput = 1\noutput = 2\n',
     "is not usable: it needs read_on = the date its rates were read, such as read_on = 2026-12-02"),
    ('read_on = 2027-01-15\n[gemini."gemini-3"]\ninput = 1\noutput = 2\n',
     "is not usable: it prices provider 'gemini'; the providers with prices are openai, anthropic"),
    ('read_on = 2027-01-15\n[openai."gpt-5.4-mini"]\ninput = 1\n',
     'is not usable: [openai."gpt-5.4-mini"] needs exactly input and output, in USD per million tokens'),
    ('read_on = 2027-01-15\n[openai."gpt-5.4-mini"]\ninput = "cheap"\noutput = -2\n',
     'is not usable: [openai."gpt-5.4-mini"] needs input and output as non-negative numbers (USD per '
     "million tokens)"),
    (None, "cannot be read: No such file or directory"),
], ids=["toml", "read_on", "provider", "missing_rate", "bad_rate", "no_file"])
def test_a_price_table_that_does_not_load_is_one_sentence_naming_the_file_and_the_problem(
        text, problem, fake, ai_settings, make_tenant, tmp_path, cli, monkeypatch):
    path = tmp_path / "prices.toml"
    if text is not None:
        path.write_text(text)
    with pytest.raises(prices.PriceTableError) as refused:
        prices.price_table(ai_settings(ai_prices_path=path))
    assert str(refused.value) == f"The AI price table {path} (EARMARK_AI_PRICES) {problem}."
    # Refused before any call is paid for, and by the CLI the same way.
    tenant = make_tenant()
    with db.connect("transformer") as conn, pytest.raises(prices.PriceTableError):
        Analyzer(conn, tenant.id, settings=ai_settings(ai_prices_path=path))
    assert fake.openai.count == fake.anthropic.count == 0
    monkeypatch.setenv("EARMARK_AI_PRICES", str(path))
    get_settings.cache_clear()
    failed = cli("ai", "usage", "--tenant", str(tenant.id), code=1)
    assert str(failed.exception) == str(refused.value)
