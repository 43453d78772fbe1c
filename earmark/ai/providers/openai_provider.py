"""OpenAI through its official SDK: the Responses API with a strict json_schema text format.

Responses is the API OpenAI recommends for new work (Chat Completions' `response_format` still works, but
new features land in Responses first). `text.format = {type: json_schema, strict: true}` constrains the
model to the schema, so the answer is the output text itself, parsed and validated here. `store=False`:
tenants' transcripts are not kept on OpenAI's side for later retrieval.
"""

from __future__ import annotations

import json

import openai
from openai.types.responses import Response
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

NAME = "openai"
API = "Responses API"
# What the SDK raises when a 2xx body does not decode (it parses JSON eagerly, inside the call).
UNDECODABLE = (json.JSONDecodeError, UnicodeDecodeError, openai.APIResponseValidationError)


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
        try:
            response = self._client.responses.create(
                model=self.model,
                instructions=task.instructions,
                input=text,
                text={"format": {"type": "json_schema", "name": task.name, "schema": task.schema,
                                 "strict": True}},
                max_output_tokens=self._max_output_tokens,
                store=False,
            )
        except openai.APITimeoutError:
            raise RetryableError(NAME, "timeout",
                                 f"openai did not answer within {self._timeout:g} s.") from None
        except openai.APIConnectionError:
            raise RetryableError(NAME, "connection", "openai could not be reached.") from None
        except openai.APIStatusError as exc:
            raise status_error(NAME, exc.status_code, exc.response.headers) from None
        except UNDECODABLE as exc:  # a 2xx body the SDK could not decode (`{not json`)
            raise not_an_answer(NAME, API, task, exc) from None
        # The SDK builds its objects without validating the body (and hands back a str for one that is not
        # JSON), so every read below may fail on a body that is not the API's.
        try:
            usage = response.usage
            tokens_in, tokens_out = (billed_tokens(usage.input_tokens), billed_tokens(usage.output_tokens)
                                     ) if usage is not None else (0, 0)
        except Exception as exc:
            raise not_an_answer(NAME, API, task, exc) from None
        try:
            return self._answer(task, response, tokens_in, tokens_out)
        except ProviderError:
            raise
        except Exception as exc:
            raise not_an_answer(NAME, API, task, exc, tokens_in, tokens_out) from None

    def _answer(self, task: Task, response: Response, tokens_in: int, tokens_out: int) -> Completion:
        refusals = [part for item in response.output if item.type == "message"
                    for part in item.content if part.type == "refusal"]
        if refusals:
            raise FinalError(NAME, "refusal", f"openai refused task {task.name}.", tokens_in=tokens_in,
                             tokens_out=tokens_out)
        if response.status == "incomplete":
            reason = response.incomplete_details.reason if response.incomplete_details else "unknown"
            raise MalformedAnswer(NAME, "malformed", f"openai's answer for task {task.name} was cut off "
                                  f"({reason}).", tokens_in=tokens_in, tokens_out=tokens_out)
        data = parse_json(NAME, task, response.output_text, tokens_in, tokens_out)
        return Completion(data, tokens_in, tokens_out)
