"""Anthropic through its official SDK: the Messages API with structured outputs (`output_config.format`).

`output_config={"format": {"type": "json_schema", "schema": ...}}` is generally available on
`messages.create` in this SDK (no beta header); the beta `output_format` parameter it replaced is
deprecated. The SDK's `transform_schema` rewrites the schema into the subset the API accepts (constraints
such as `minimum` move into descriptions); the answer is still validated here against the task's full
schema.
"""

from __future__ import annotations

import anthropic
from anthropic.types import Message
from pydantic import SecretStr

from earmark.ai.providers.base import (
    Completion,
    FinalError,
    MalformedAnswer,
    Task,
    Tokens,
    billed_tokens,
    call_sdk,
    parse_json,
    read_answer,
)
from earmark.settings import Settings

NAME = "anthropic"
API = "Messages API"


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
        message = call_sdk(anthropic, NAME, API, task, self._timeout, lambda: self._client.messages.create(
            model=self.model,
            max_tokens=self._max_output_tokens,
            system=task.instructions,
            messages=[{"role": "user", "content": text}],
            output_config={"format": {"type": "json_schema",
                                      "schema": anthropic.transform_schema(task.schema)}},
        ))
        return read_answer(NAME, API, task, message, _usage, self._answer)

    def _answer(self, task: Task, message: Message, tokens: Tokens) -> Completion:
        if message.stop_reason == "refusal":
            raise FinalError(NAME, "refusal", f"anthropic refused task {task.name}.", tokens=tokens)
        if message.stop_reason == "max_tokens":
            raise MalformedAnswer(NAME, "malformed", f"anthropic's answer for task {task.name} was cut off "
                                  "(max_tokens).", tokens=tokens)
        text_out = "".join(block.text for block in message.content if block.type == "text")
        data = parse_json(NAME, task, text_out, tokens)
        return Completion(data, tokens)


def _usage(message: Message) -> Tokens:
    """Tokens billed (usage is required in a Messages API body). Anthropic's input_tokens EXCLUDES the
    prompt cache's tokens, which it counts apart (null or missing: none); tokens_in is input at any rate:
    fresh, written to and read from the cache."""
    usage = message.usage
    cache_write = billed_tokens(usage.cache_creation_input_tokens or 0)
    cache_read = billed_tokens(usage.cache_read_input_tokens or 0)
    return Tokens(billed_tokens(usage.input_tokens, cache_write, cache_read),
                  billed_tokens(usage.output_tokens), cache_read_tokens=cache_read,
                  cache_write_tokens=cache_write)
