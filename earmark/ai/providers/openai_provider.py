"""OpenAI through its official SDK: the Responses API with a strict json_schema text format.

Responses is the API OpenAI recommends for new work (Chat Completions' `response_format` still works, but
new features land in Responses first). `text.format = {type: json_schema, strict: true}` constrains the
model to the schema, so the answer is the output text itself, parsed and validated here. `store=False`:
tenants' transcripts are not kept on OpenAI's side for later retrieval.
"""

from __future__ import annotations

import openai
from openai.types.responses import Response
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

NAME = "openai"
API = "Responses API"


class OpenAIProvider:
    name = NAME

    def __init__(self, key: SecretStr, settings: Settings) -> None:
        self.model = settings.openai_model
        self._max_output_tokens = settings.ai_max_output_tokens
        self._timeout = settings.ai_timeout_seconds
        # max_retries=0: the router's retries, backoff and fallback are the only ones, and are recorded.
        self._client = openai.OpenAI(api_key=key.get_secret_value(), base_url=settings.openai_base_url,
                                     timeout=settings.ai_timeout_seconds, max_retries=0)

    def __repr__(self) -> str:
        return f"OpenAIProvider(model={self.model!r})"

    def complete(self, task: Task, text: str) -> Completion:
        response = call_sdk(openai, NAME, API, task, self._timeout, lambda: self._client.responses.create(
            model=self.model,
            instructions=task.instructions,
            input=text,
            text={"format": {"type": "json_schema", "name": task.name, "schema": task.schema,
                             "strict": True}},
            max_output_tokens=self._max_output_tokens,
            store=False,
        ))
        return read_answer(NAME, API, task, response, _usage, self._answer)

    def _answer(self, task: Task, response: Response, tokens: Tokens) -> Completion:
        refusals = [part for item in response.output if item.type == "message"
                    for part in item.content if part.type == "refusal"]
        if refusals:
            raise FinalError(NAME, "refusal", f"openai refused task {task.name}.", tokens=tokens)
        if response.status == "incomplete":
            reason = response.incomplete_details.reason if response.incomplete_details else "unknown"
            raise MalformedAnswer(NAME, "malformed", f"openai's answer for task {task.name} was cut off "
                                  f"({reason}).", tokens=tokens)
        data = parse_json(NAME, task, response.output_text, tokens)
        return Completion(data, tokens)


def _usage(response: Response) -> Tokens:
    """Tokens billed; OpenAI's API marks usage optional, so an answer without it counts none.

    input_tokens INCLUDES the prompt-cache tokens, which input_tokens_details breaks out: cached_tokens
    read from the cache, and cache_write_tokens written to it. The models priced in prices.toml report no
    writes (OpenAI bills none before GPT-5.6); GPT-5.6 and later report and bill them. A detail that is
    missing or null counts 0 (older bodies and OpenAI-compatible servers leave them out).
    """
    usage = response.usage
    if usage is None:
        return Tokens()
    details = getattr(usage, "input_tokens_details", None)
    return Tokens(billed_tokens(usage.input_tokens), billed_tokens(usage.output_tokens),
                  cache_read_tokens=billed_tokens(getattr(details, "cached_tokens", None) or 0),
                  cache_write_tokens=billed_tokens(getattr(details, "cache_write_tokens", None) or 0))
