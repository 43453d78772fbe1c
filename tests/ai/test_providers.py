"""The AI provider layer against the official SDKs, pointed at a local server that speaks their protocols:
structured outputs sent the provider's way, retries with backoff, fallback down to the local analyzer
(also from bodies that are not the API's and from unexpected exceptions), usage and cost in app.ai_calls,
and the per-tenant cache."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import psycopg
import pytest
from fake_llm import ANTHROPIC_KEY, OPENAI_KEY, hang, malformed, ok, raw_body, status, without
from provider_cases import (
    LOCAL,
    LOCAL_ANSWER,
    NEGATIVE,
    POSITIVE,
    SCHEMA,
    TASK,
    TEXT,
    calls,
    key_sources,
)
from pydantic import SecretStr

from earmark import db
from earmark.ai.providers import (
    MalformedAnswer,
)
from earmark.ai.providers.anthropic_provider import AnthropicProvider
from earmark.ai.providers.base import Tokens
from earmark.ai.providers.openai_provider import OpenAIProvider

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
        assert (error.kind, error.tokens, error.retryable) == ("malformed", Tokens(), True)
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
