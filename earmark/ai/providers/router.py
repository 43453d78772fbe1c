"""One tenant's analyses: the cache first, then each provider in the tenant's order with retries, then the
local analyzer; every attempt is a row in app.ai_calls.

The connection is an autocommit one outside any transaction (earmark.db.connect; the transformer in the
pipelines). Every cache lookup and ledger row is a short tenant transaction of its own and none stays
open during a provider call, so a slow provider holds no locks and a failed analysis keeps its usage.

A provider that raises anything but a ProviderError (a bug, an SDK's surprise) has failed that attempt:
it is recorded as `unexpected`, without the exception's text (which may quote a key or the body), and
the next provider is tried.
"""

from __future__ import annotations

import logging
import random
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from functools import cache
from uuid import UUID, uuid4

import psycopg
from pydantic import SecretStr

from earmark import db
from earmark.ai.providers import cache as answer_cache
from earmark.ai.providers import keys, order, prices, usage
from earmark.ai.providers.base import (
    Answer,
    Completion,
    MalformedAnswer,
    Provider,
    ProviderError,
    Task,
    Tokens,
)
from earmark.ai.providers.local import NAME as LOCAL
from earmark.ai.providers.local import LocalProvider, local_model
from earmark.cost import budgets
from earmark.settings import Settings, get_settings

log = logging.getLogger(__name__)

# A malformed answer is retried this many times per provider (see base.py for why only once).
MALFORMED_RETRIES = 1
# No wait, from our backoff or a provider's retry-after, is longer: a pipeline would rather fall back.
MAX_WAIT_SECONDS = 30.0


@dataclass(frozen=True)
class Keyed:
    """A provider ready to call, and whose account its calls bill (app.ai_calls.key_source)."""

    provider: Provider
    key_source: usage.KeySource


class Analyzer:
    """Analyse texts for one tenant. `sleep` and `jitter` (a number in [0, 1)) are injectable so that
    tests run the backoff without waiting and see exactly what it waited."""

    def __init__(self, conn: psycopg.Connection, tenant_id: UUID | str, *, settings: Settings | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 jitter: Callable[[], float] = random.random) -> None:
        self._conn = conn
        self.tenant_id = UUID(str(tenant_id))
        self._settings = settings or get_settings()
        self._sleep = sleep
        self._jitter = jitter
        with db.tenant_transaction(conn, self.tenant_id):
            self.order = order.effective(conn, self.tenant_id, self._settings)
            # Over its monthly cost budget, a tier with over_budget = "local_ai" analyses with the local
            # analyzer only, until the month ends (earmark.cost.budgets); every other tier carries on.
            if self.order.providers != (LOCAL,) and budgets.llm_throttled(conn, self.tenant_id):
                self.order = order.Order((LOCAL,), "budget")
        # Read now: a price file that does not load stops the analysis before it pays for a call.
        self._prices = prices.price_table(self._settings)
        self._local = LocalProvider()
        # Built on first use (keys resolved then): a provider, or why it is skipped.
        self._providers: dict[str, Keyed | str] = {}

    def analyse(self, task: Task, text: str) -> Answer:
        analysis = uuid4()
        models = {name: model_for(name, self._settings) for name in self.order.providers[:-1]}
        cache_keys = {name: answer_cache.cache_key(text, task, model) for name, model in models.items()}
        hit = self._cached(task, analysis, cache_keys)
        if hit is not None:
            return hit
        attempts = 0
        for name, model in models.items():
            keyed = self._provider(name)
            if isinstance(keyed, str):
                self._record(usage.Call(analysis, task.name, task.prompt_version, name, model,
                                        cache_keys[name], "skipped", error=keyed))
                continue
            completion, used = self._call_with_retries(keyed, task, text, analysis, cache_keys[name])
            attempts += used
            if completion is not None:
                return Answer(completion.data, name, keyed.provider.model, False, attempts, analysis)
        return self._answer_locally(task, text, analysis, attempts)

    def _cached(self, task: Task, analysis: UUID, cache_keys: dict[str, str]) -> Answer | None:
        """An answer from any provider in the order, without calling one: a rerun after a fallback costs
        nothing either."""
        if not cache_keys:  # only the local analyzer, whose answers are not stored
            return None
        started = time.monotonic()
        with db.tenant_transaction(self._conn, self.tenant_id):
            for key in cache_keys.values():
                hit = answer_cache.get(self._conn, self.tenant_id, key)
                if hit is not None:
                    usage.record(self._conn, self.tenant_id, usage.Call(
                        analysis, task.name, task.prompt_version, hit.provider, hit.model, key, "cached",
                        latency_ms=_elapsed_ms(started)))
                    return Answer(hit.answer, hit.provider, hit.model, True, 0, analysis)
        return None

    def _provider(self, name: str) -> Keyed | str:
        if name not in self._providers:
            try:
                with db.tenant_transaction(self._conn, self.tenant_id):
                    key = keys.resolve(self._conn, self.tenant_id, name, self._settings)
            except keys.ProviderKeyError as exc:
                log.warning("%s is skipped for tenant %s: %s", name, self.tenant_id, exc)
                self._providers[name] = "unreadable_key"
            else:
                self._providers[name] = "no_key" if key is None else Keyed(
                    _build(name, key.secret, self._settings), key.payer)
        return self._providers[name]

    def _call_with_retries(self, keyed: Keyed, task: Task, text: str, analysis: UUID,
                           key: str) -> tuple[Completion | None, int]:
        """The provider's answer (or None: fall back) and the number of attempts it took."""
        provider, paid_by = keyed.provider, keyed.key_source
        malformed = attempt = 0
        retries = self._settings.ai_max_retries
        while True:
            attempt += 1
            started = time.monotonic()
            try:
                done = provider.complete(task, text)
            except ProviderError as error:
                malformed += isinstance(error, MalformedAnswer)
                again = error.retryable and attempt <= retries and malformed <= MALFORMED_RETRIES
                # Tokens' fields are usage.Call's token columns, by name.
                self._record(usage.Call(
                    analysis, task.name, task.prompt_version, provider.name, provider.model, key,
                    "retry" if again else "failed", http_status=error.status, error=error.kind,
                    latency_ms=_elapsed_ms(started), cost_usd=self._cost(provider, error.tokens),
                    key_source=paid_by, **asdict(error.tokens)))
                if not again:
                    log.warning("%s gave no answer for task %s after %d attempt(s): %s", provider.name,
                                task.name, attempt, error)
                    return None, attempt
                self._sleep(self._wait(attempt, error.retry_after))
                continue
            except Exception as error:  # any other failure of one provider is a fallback too
                # Not retried: nothing says a second try would go otherwise. Its tokens are not known
                # (recorded as 0, like a body that does not say them).
                self._record(usage.Call(
                    analysis, task.name, task.prompt_version, provider.name, provider.model, key, "failed",
                    error="unexpected", latency_ms=_elapsed_ms(started), key_source=paid_by))
                log.warning("%s failed unexpectedly on task %s (%s at %s); falling back", provider.name,
                            task.name, error.__class__.__name__, _raised_at(error))
                return None, attempt
            with db.tenant_transaction(self._conn, self.tenant_id):
                usage.record(self._conn, self.tenant_id, usage.Call(
                    analysis, task.name, task.prompt_version, provider.name, provider.model, key, "ok",
                    latency_ms=_elapsed_ms(started), cost_usd=self._cost(provider, done.tokens),
                    key_source=paid_by, **asdict(done.tokens)))
                answer_cache.put(self._conn, self.tenant_id, key, task, provider.name, provider.model,
                                 done.data)
            return done, attempt

    def _cost(self, provider: Provider, tokens: Tokens) -> Decimal | None:
        """At the price in effect today (UTC). The database stamps called_at a moment later, so a call that
        ends at midnight may be priced on the day before its called_at's, which matters only when the
        model's price changed that midnight."""
        found = prices.cost(self._prices, provider.name, provider.model, tokens.tokens_in, tokens.tokens_out,
                            cache_read=tokens.cache_read_tokens, cache_write=tokens.cache_write_tokens)
        if found is None:
            _warn_unpriced(provider.name, provider.model, self._prices.source)
        return found

    def _wait(self, attempt: int, retry_after: float | None) -> float:
        """Exponential backoff with "equal jitter": between half and all of base * 2^(attempt-1), so that
        parallel runs spread out and none retries immediately; at least what the provider asked for."""
        step = min(MAX_WAIT_SECONDS, self._settings.ai_backoff_seconds * 2 ** (attempt - 1))
        wait = step * (0.5 + 0.5 * self._jitter())
        return max(wait, min(retry_after, MAX_WAIT_SECONDS)) if retry_after is not None else wait

    def _answer_locally(self, task: Task, text: str, analysis: UUID, attempts: int) -> Answer:
        local = self._local
        # Recorded, never stored: local answers cost nothing, and a stored one would outlive a fix.
        key = answer_cache.cache_key(text, task, local.model)
        started = time.monotonic()
        try:
            done = local.complete(task, text)
        except Exception as error:
            # Nothing is left to fall back to: recorded, then raised (a bug in Earmark's own analyzer).
            kind = error.kind if isinstance(error, ProviderError) else "unexpected"
            self._record(usage.Call(analysis, task.name, task.prompt_version, local.name, local.model, key,
                                    "failed", error=kind, latency_ms=_elapsed_ms(started)))
            raise
        self._record(usage.Call(analysis, task.name, task.prompt_version, local.name, local.model, key, "ok",
                                latency_ms=_elapsed_ms(started)))
        return Answer(done.data, local.name, local.model, False, attempts + 1, analysis)

    def _record(self, call: usage.Call) -> None:
        with db.tenant_transaction(self._conn, self.tenant_id):
            usage.record(self._conn, self.tenant_id, call)


def model_for(name: str, settings: Settings) -> str:
    """The model a provider is called with (the same for every tenant)."""
    if name == LOCAL:
        return local_model()
    return {"openai": settings.openai_model, "anthropic": settings.anthropic_model}[name]


def _build(name: str, key: SecretStr, settings: Settings) -> Provider:
    # Imported here: the SDKs take about a second to import, which only an analysis that calls one pays.
    if name == "openai":
        from earmark.ai.providers.openai_provider import OpenAIProvider

        return OpenAIProvider(key, settings)
    from earmark.ai.providers.anthropic_provider import AnthropicProvider

    return AnthropicProvider(key, settings)


@cache
def _warn_unpriced(provider: str, model: str, source: str) -> None:
    log.warning("%s model %s has no price in %s (for the model, for today, or for the prompt-cache tokens "
                "of a call): such calls are recorded without a cost.", provider, model, source)


def _raised_at(error: BaseException) -> str:
    """file:line where `error` was raised: enough to find the bug, and it quotes nothing of the error."""
    frames = traceback.extract_tb(error.__traceback__)
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "unknown"


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
