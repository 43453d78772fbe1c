"""The provider layer's settings: keys (sealed, preferred, never leaked, whose paid), orders and task rules,
the `earmark ai` CLI and the price table."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import typing
from decimal import Decimal

import psycopg
import pytest
from fake_llm import OPENAI_KEY, ok, status
from provider_cases import (
    LOCAL,
    NEGATIVE,
    POSITIVE,
    SCHEMA,
    TASK,
    TEXT,
    calls,
    key_sources,
    set_tenant_key,
)
from pydantic import SecretStr
from typer.testing import CliRunner

from earmark import db
from earmark.ai.providers import (
    Analyzer,
    FinalError,
    Task,
    TaskError,
    keys,
    order,
    prices,
    usage,
)
from earmark.ai.providers.openai_provider import OpenAIProvider
from earmark.settings import AiProvider, Settings, get_settings

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
    row = {"calls": 0, "answered": 0, "cached": 0, "tokens_in": 0, "tokens_out": 0, "cache_read_tokens": 0,
           "cache_write_tokens": 0, "cost_usd": "0", "unpriced_calls": 0}
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
     'is not usable: [openai."gpt-5.4-mini"] needs input and output, in USD per million tokens'),
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
