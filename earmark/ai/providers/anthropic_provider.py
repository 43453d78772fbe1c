"""Anthropic through its official SDK: the Messages API with structured outputs (`output_config.format`).

`output_config={"format": {"type": "json_schema", "schema": ...}}` is generally available on
`messages.create` in this SDK (no beta header); the beta `output_format` parameter it replaced is
deprecated. The SDK's `transform_schema` rewrites the schema into the subset the API accepts (constraints
such as `minimum` move into descriptions); the answer is still validated here against the task's full
schema.
"""

from __future__ import annotations

import json

import anthropic
from anthropic.types import Message
from pydantic import SecretStr

from earmark.ai.providers.base import (
    Completion,
    FinalError,
    MalformedAnswer,
    ProviderError,
    RetryableError,
    Task,
    billed_tokens,
    not_an_answer,
    parse_json,
    status_error,
)
from earmark.settings import Settings

NAME = "anthropic"
API = "Messages API"
# What the SDK raises when a 2xx body does not decode (it parses JSON eagerly, inside the call).
UNDECODABLE = (json.JSONDecodeError, UnicodeDecodeError, anthropic.APIResponseValidationError)


class AnthropicProvider:
    name = NAME

    def __init__(self, key: SecretStr, settings: Settings) -> None:
        self.model = settings.anthropic_model
        self._max_output_tokens = settings.ai_max_output_tokens
        self._timeout = settings.ai_timeout_seconds
        # max_retries=0: the router's retries, backoff and fallback are the only ones, and are recorded.
        self._client = anthropic.Anthropic(api_key=key.get_secret_value(),
                                           base_url=settings.anthropic_base_url,
                                           timeout=settings.ai_timeout_seconds, max_retries=0)

    def __repr__(self) -> str:
        return f"AnthropicProvider(model={self.model!r})"

    def complete(self, task: Task, text: str) -> Completion:
        try:
            message = self._client.messages.create(
                model=self.model,
                max_tokens=self._max_output_tokens,
                system=task.instructions,
                messages=[{"role": "user", "content": text}],
                output_config={"format": {"type": "json_schema",
                                          "schema": anthropic.transform_schema(task.schema)}},
            )
        except anthropic.APITimeoutError:
            raise RetryableError(NAME, "timeout",
                                 f"anthropic did not answer within {self._timeout:g} s.") from None
        except anthropic.APIConnectionError:
            raise RetryableError(NAME, "connection", "anthropic could not be reached.") from None
        except anthropic.APIStatusError as exc:
            raise status_error(NAME, exc.status_code, exc.response.headers) from None
        except UNDECODABLE as exc:  # a 2xx body the SDK could not decode (`{not json`)
            raise not_an_answer(NAME, API, task, exc) from None
        # The SDK builds its objects without validating the body (and hands back a str for one that is not
        # JSON), so every read below may fail on a body that is not the API's; usage is required in it.
        try:
            usage = message.usage
            # Input billed at any rate: fresh, written to and read from Anthropic's prompt cache.
            tokens_in = billed_tokens(usage.input_tokens, usage.cache_creation_input_tokens or 0,
                                      usage.cache_read_input_tokens or 0)
            tokens_out = billed_tokens(usage.output_tokens)
        except Exception as exc:
            raise not_an_answer(NAME, API, task, exc) from None
        try:
            return self._answer(task, message, tokens_in, tokens_out)
        except ProviderError:
            raise
        except Exception as exc:
            raise not_an_answer(NAME, API, task, exc, tokens_in, tokens_out) from None

    def _answer(self, task: Task, message: Message, tokens_in: int, tokens_out: int) -> Completion:
        if message.stop_reason == "refusal":
            raise FinalError(NAME, "refusal", f"anthropic refused task {task.name}.", tokens_in=tokens_in,
                             tokens_out=tokens_out)
        if message.stop_reason == "max_tokens":
            raise MalformedAnswer(NAME, "malformed", f"anthropic's answer for task {task.name} was cut off "
                                  "(max_tokens).", tokens_in=tokens_in, tokens_out=tokens_out)
        text_out = "".join(block.text for block in message.content if block.type == "text")
        data = parse_json(NAME, task, text_out, tokens_in, tokens_out)
        return Completion(data, tokens_in, tokens_out)
