"""The interface every provider implements: analyse a text under a task, return the task's JSON.

A task is what to ask (instructions, the JSON schema of the answer) and the local analyzer's answer for the
same text. Providers turn the SDKs' failures into three errors the router acts on:

- RetryableError: a timeout, a dropped connection, HTTP 408, 429 or 5xx. The same request may work in a
  moment, so the router waits (exponential backoff with jitter) and tries again, then falls back.
- MalformedAnswer: the provider answered, but not with JSON that validates against the schema (cut off,
  refused in prose, a wrong enum), or with a 2xx body that is not the API's at all (a proxy's HTML page,
  broken JSON, fields missing). Structured outputs make this rare and a second sample usually conforms,
  so it is retried once on the same provider; a second one falls back to the next provider at once
  rather than paying for more samples of a model that keeps getting this text wrong. Its tokens, when
  the body says them, were billed and are recorded (every error carries them, as Tokens).
- FinalError: any other 4xx (a bad key, a refused schema, an unknown model) or a refusal. The same
  request would fail the same way, so the router falls back without retrying.

Any other exception a provider raises is a bug or a surprise of the SDK's; the router records it as a
failed attempt (error `unexpected`) and falls back, so it costs one provider, not the analysis.

Error messages name the provider and what happened, never a key or the provider's own message text (an
authentication error's body quotes part of the key).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import ClassVar, Protocol, TypeVar
from uuid import UUID

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from earmark.errors import EarmarkError

T = TypeVar("T")
B = TypeVar("B")

# OpenAI's rule for a json_schema format's name, which is the task's name.
TASK_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


class TaskError(EarmarkError, ValueError):
    """A task definition that no provider could answer; the message says what to change."""


@dataclass(frozen=True)
class Task:
    """One kind of analysis. Bump prompt_version whenever instructions or schema change: the cache is keyed
    by it, so answers to the old prompt are not served for the new one.

    The schema must be an object schema in the strict form both providers' structured outputs accept:
    every object lists all its properties in `required` and sets `additionalProperties: false`.
    """

    name: str
    prompt_version: str
    instructions: str
    schema: dict
    local: Callable[[str], dict] = field(repr=False, compare=False)
    _validator: Draft202012Validator = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not TASK_NAME.fullmatch(self.name):
            raise TaskError(f"Task name {self.name!r} must be 1-64 letters, digits, '_' or '-'.")
        if not self.prompt_version.strip():
            raise TaskError(f"Task {self.name} needs a prompt_version (the cache is keyed by it).")
        if self.schema.get("type") != "object":
            raise TaskError(f"Task {self.name}'s schema must describe a JSON object (type: object).")
        try:
            Draft202012Validator.check_schema(self.schema)
        except SchemaError as exc:
            raise TaskError(f"Task {self.name}'s schema is not a valid JSON schema: {exc.message}") from None
        loose = _loose_objects(self.schema, "$")
        if loose:
            raise TaskError(f"Task {self.name}'s schema is not strict at {', '.join(loose)}: every object "
                            "needs additionalProperties: false and all its properties required.")
        object.__setattr__(self, "_validator", Draft202012Validator(self.schema))

    def conforming(self, provider: str, data: object, tokens: Tokens | None = None) -> dict:
        """`data` if it validates against the schema, else MalformedAnswer (carrying the tokens the answer
        was billed). The message gives the path and the rule that failed, not the value (which may quote
        the tenant's text)."""
        error = next(iter(self._validator.iter_errors(data)), None)
        if error is not None:
            raise MalformedAnswer(provider, "malformed", f"{provider}'s answer for task {self.name} does not "
                                  f"match its schema at {error.json_path} ({error.validator} failed).",
                                  tokens=tokens)
        return data


def _loose_objects(schema: object, path: str) -> list[str]:
    """Paths of object schemas that structured outputs' strict mode would refuse."""
    if isinstance(schema, list):
        return [p for i, item in enumerate(schema) for p in _loose_objects(item, f"{path}[{i}]")]
    if not isinstance(schema, dict):
        return []
    found = []
    if schema.get("type") == "object":
        every_property_required = set(schema.get("required", [])) == set(schema.get("properties", {}))
        if schema.get("additionalProperties") is not False or not every_property_required:
            found.append(path)
    for key, value in schema.items():
        if key in ("properties", "$defs"):
            found += [p for name, sub in value.items() for p in _loose_objects(sub, f"{path}.{name}")]
        elif key in ("items", "anyOf", "allOf", "oneOf", "prefixItems"):
            found += _loose_objects(value, f"{path}.{key}")
    return found


@dataclass(frozen=True)
class Tokens:
    """The tokens one call billed, named as app.ai_calls' columns are (usage.Call takes them as they are).

    tokens_in is ALL the input billed, at any rate; cache_read_tokens and cache_write_tokens are the parts
    of it read from and written to the provider's prompt cache, so the input at the plain rate is
    tokens_in - cache_read_tokens - cache_write_tokens (never negative: a body that says more is refused).
    The providers count differently (OpenAI's input_tokens include its cache tokens, Anthropic's exclude
    them); each provider's _usage turns its body into these.
    """

    tokens_in: int = 0
    tokens_out: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0

    def __post_init__(self) -> None:
        if self.cache_read_tokens + self.cache_write_tokens > self.tokens_in:
            raise ValueError("the cache token counts are more than the input tokens")


@dataclass(frozen=True)
class Completion:
    """What one successful provider call returned: the validated answer and the tokens billed for it."""

    data: dict
    tokens: Tokens = Tokens()


@dataclass(frozen=True)
class Answer:
    """The result of an analysis: the data, who answered (`local` when every provider failed or none is
    configured), whether it came from the cache, and how many provider calls it took (0 when cached).
    analysis_id finds every attempt in app.ai_calls."""

    data: dict
    provider: str
    model: str
    cached: bool
    attempts: int
    analysis_id: UUID


class Provider(Protocol):
    name: str
    model: str

    def complete(self, task: Task, text: str) -> Completion:
        """The task's answer for `text`, or a ProviderError."""
        ...


class ProviderError(EarmarkError):
    """A provider call that gave no usable answer. `kind` is what app.ai_calls.error records."""

    retryable: ClassVar[bool]

    def __init__(self, provider: str, kind: str, message: str, *, status: int | None = None,
                 retry_after: float | None = None, tokens: Tokens | None = None) -> None:
        super().__init__(message)
        self.provider = provider
        self.kind = kind
        self.status = status
        self.retry_after = retry_after
        # What the failed call was billed, as far as its body said (none for a timeout or an HTTP error).
        self.tokens = tokens or Tokens()


class RetryableError(ProviderError):
    """A timeout, connection failure, HTTP 408, 429 or 5xx: worth another try after a wait."""

    retryable = True


class MalformedAnswer(ProviderError):
    """An answer that is not JSON matching the schema: retried once on the same provider, then fallback."""

    retryable = True


class FinalError(ProviderError):
    """Any other 4xx, or a refusal: the same request would fail the same way."""

    retryable = False


def parse_json(provider: str, task: Task, text: str, tokens: Tokens) -> dict:
    """A provider's structured-output text as the task's validated answer."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise MalformedAnswer(provider, "malformed", f"{provider}'s answer for task {task.name} is not JSON "
                              f"({exc.__class__.__name__} at character {getattr(exc, 'pos', '?')}).",
                              tokens=tokens) from None
    return task.conforming(provider, data, tokens)


# app.ai_calls counts tokens in a Postgres integer.
MAX_TOKENS = 2**31 - 1


def billed_tokens(*counts: object) -> int:
    """The sum of a body's token counts, each checked: the SDKs build their objects without validating
    them, so a body can say anything (a string, -1, a number no integer column holds)."""
    if not all(isinstance(count, int) and not isinstance(count, bool) and count >= 0 for count in counts):
        raise ValueError("a token count is not a non-negative integer")
    total = sum(counts)
    if total > MAX_TOKENS:
        raise ValueError("a token count is out of range")
    return total


def not_an_answer(provider: str, api: str, task: Task, error: Exception,
                  tokens: Tokens | None = None) -> MalformedAnswer:
    """A 2xx answer whose body is not `api`'s (a proxy's HTML page, broken JSON, `{}`, a field missing).
    The message names the exception's class, never its text, which may quote the body."""
    return MalformedAnswer(provider, "malformed", f"{provider}'s answer for task {task.name} is not a {api} "
                           f"body ({error.__class__.__name__} reading it).", tokens=tokens)


def call_sdk(sdk: ModuleType, provider: str, api: str, task: Task, timeout: float,
             call: Callable[[], T]) -> T:
    """Make one SDK call, its failures turned into the router's errors. Both official SDKs are generated by
    Stainless and raise the same exception classes (APITimeoutError is an APIConnectionError, so it comes
    first); each also raises a decoding error from inside the call for a 2xx body that is not JSON."""
    undecodable = (json.JSONDecodeError, UnicodeDecodeError, sdk.APIResponseValidationError)
    try:
        return call()
    except sdk.APITimeoutError:
        raise RetryableError(provider, "timeout",
                             f"{provider} did not answer within {timeout:g} s.") from None
    except sdk.APIConnectionError:
        raise RetryableError(provider, "connection", f"{provider} could not be reached.") from None
    except sdk.APIStatusError as exc:
        raise status_error(provider, exc.status_code, exc.response.headers) from None
    except undecodable as exc:  # `{not json`
        raise not_an_answer(provider, api, task, exc) from None


def read_answer(provider: str, api: str, task: Task, body: B, usage: Callable[[B], Tokens],
                answer: Callable[[Task, B, Tokens], Completion]) -> Completion:
    """The usage and the answer read from a body. The SDKs build their objects without validating the body
    (and hand back a str for one that is not JSON), so every read may fail on a body that is not the API's:
    that is a malformed answer, with the billed tokens when the usage could still be read (a usage whose
    counts do not add up, such as more cached tokens than input tokens, is not read: none are recorded)."""
    try:
        tokens = usage(body)
    except Exception as exc:
        raise not_an_answer(provider, api, task, exc) from None
    try:
        return answer(task, body, tokens)
    except ProviderError:
        raise
    except Exception as exc:
        raise not_an_answer(provider, api, task, exc, tokens) from None


def status_error(provider: str, status: int, headers: Mapping[str, str]) -> ProviderError:
    """The error for an HTTP error status; the SDK's message is left out (it may quote the key)."""
    if status in (408, 429) or status >= 500:
        return RetryableError(provider, "http", f"{provider} answered HTTP {status}.", status=status,
                              retry_after=retry_after(headers))
    return FinalError(provider, "http", f"{provider} refused the request with HTTP {status}.", status=status)


def retry_after(headers: Mapping[str, str]) -> float | None:
    """The wait a provider asked for (retry-after-ms, or retry-after in seconds; an HTTP date is ignored)."""
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is not None:
            try:
                return max(0.0, float(value) / scale)
            except ValueError:
                continue
    return None
