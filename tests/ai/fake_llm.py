"""A local HTTP server that speaks OpenAI's Responses API and Anthropic's Messages API closely enough for
their official SDKs, and answers with whatever a test scripts: a structured answer (with the usage it
was billed, prompt-cache tokens included, in each API's own way of counting them), an HTTP error,
malformed JSON, a body that is not the API's at all (a proxy's HTML page, broken JSON, `{}`), or silence
past the client's timeout.

Both protocols share one server (OpenAI's SDK is given `<url>/v1`, Anthropic's `<url>`); each has its own
script and records its own requests (path, headers, JSON body), so a test can see the schema went the
structured-output way and the key arrived in the right header. An unscripted request gets HTTP 400,
which the router treats as final: a test that forgot a step fails on its counts, quickly.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# The platform's keys in the tests' settings (tests/ai/conftest.py); the fake server checks they arrive.
OPENAI_KEY = "sk-platform-openai-0123456789abcdef"
ANTHROPIC_KEY = "sk-ant-platform-0123456789abcdef"


@dataclass(frozen=True)
class Behaviour:
    """What the server answers. The token counts are the body's usage fields as each API spells them:
    tokens_in is its `input_tokens`, which INCLUDES the prompt-cache tokens on OpenAI (cache_read is
    `input_tokens_details.cached_tokens`, cache_write its `cache_write_tokens`) and EXCLUDES them on
    Anthropic (`cache_read_input_tokens` and `cache_creation_input_tokens`, beside it). None sends null."""

    kind: str  # ok | status | raw | body | hang
    data: dict | None = None
    text: str | None = None
    status: int = 200
    content_type: str = "application/json"
    seconds: float = 0.0
    retry_after: str | None = None
    tokens_in: int = 1200
    tokens_out: int = 85
    cache_read: int | None = 0
    cache_write: int | None = 0


def ok(data: dict, tokens_in: int = 1200, tokens_out: int = 85, *, cache_read: int | None = 0,
       cache_write: int | None = 0) -> Behaviour:
    return Behaviour("ok", data=data, tokens_in=tokens_in, tokens_out=tokens_out, cache_read=cache_read,
                     cache_write=cache_write)


def status(code: int, retry_after: str | None = None) -> Behaviour:
    return Behaviour("status", status=code, retry_after=retry_after)


def malformed(text: str = '{"sentiment": "positive", "topics": ["ru', tokens_in: int = 1200,
              tokens_out: int = 40, *, cache_read: int | None = 0, cache_write: int | None = 0) -> Behaviour:
    """Structured output whose text is not JSON (as a cut-off answer looks)."""
    return Behaviour("raw", text=text, tokens_in=tokens_in, tokens_out=tokens_out, cache_read=cache_read,
                     cache_write=cache_write)


def raw_body(status: int, text: str, content_type: str = "application/json") -> Behaviour:
    """Answer `status` with exactly `text` as the whole body: what a captive proxy, a load balancer's error
    page or a broken gateway sends instead of the API's JSON."""
    return Behaviour("body", text=text, status=status, content_type=content_type)


def without(data: dict, *path: str) -> Behaviour:
    """A structured answer of `data` whose API body lacks the field at `path` (e.g. "usage")."""
    return Behaviour("without", data=data, text=".".join(path))


def hang(seconds: float) -> Behaviour:
    """Say nothing for `seconds` (past the client's timeout), then close."""
    return Behaviour("hang", seconds=seconds)


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    body: dict


@dataclass
class Script:
    """One protocol's queue of behaviours and the requests it received, in order."""

    behaviours: deque[Behaviour] = field(default_factory=deque)
    requests: list[Request] = field(default_factory=list)

    def then(self, *behaviours: Behaviour) -> Script:
        self.behaviours.extend(behaviours)
        return self

    @property
    def count(self) -> int:
        return len(self.requests)


def _openai_answer(body: dict, text: str, behaviour: Behaviour) -> dict:
    tokens_in, tokens_out = behaviour.tokens_in, behaviour.tokens_out
    return {
        "id": f"resp_{uuid.uuid4().hex}", "object": "response", "created_at": 1764651600,
        "status": "completed", "error": None, "incomplete_details": None,
        "instructions": body.get("instructions"), "model": body["model"],
        "output": [{"id": f"msg_{uuid.uuid4().hex}", "type": "message", "status": "completed",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}]}],
        "parallel_tool_calls": True, "temperature": 1.0, "tool_choice": "auto", "tools": [], "top_p": 1.0,
        "max_output_tokens": body.get("max_output_tokens"), "store": body.get("store", True),
        "text": body.get("text", {"format": {"type": "text"}}), "truncation": "disabled",
        # input_tokens counts the cached and cache-written tokens too.
        "usage": {"input_tokens": tokens_in,
                  "input_tokens_details": {"cached_tokens": behaviour.cache_read,
                                           "cache_write_tokens": behaviour.cache_write},
                  "output_tokens": tokens_out, "output_tokens_details": {"reasoning_tokens": 0},
                  "total_tokens": tokens_in + tokens_out},
    }


def _anthropic_answer(body: dict, text: str, behaviour: Behaviour) -> dict:
    return {
        "id": f"msg_{uuid.uuid4().hex[:24]}", "type": "message", "role": "assistant", "model": body["model"],
        "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
        # input_tokens counts neither the tokens read from the cache nor those written to it.
        "usage": {"input_tokens": behaviour.tokens_in, "output_tokens": behaviour.tokens_out,
                  "cache_creation_input_tokens": behaviour.cache_write,
                  "cache_read_input_tokens": behaviour.cache_read, "service_tier": "standard"},
    }


# Error bodies as each API sends them. The 401s quote the key the way OpenAI's does (partly masked there;
# whole here, so that a leak into our messages cannot hide behind the mask).
def _openai_error(code: int, key: str) -> dict:
    kinds = {401: ("invalid_request_error", "invalid_api_key", f"Incorrect API key provided: {key}."),
             429: ("requests", "rate_limit_exceeded", "Rate limit reached for requests."),
             500: ("server_error", None, "The server had an error while processing your request.")}
    kind, error_code, message = kinds.get(code, ("invalid_request_error", None, "Bad request."))
    return {"error": {"message": message, "type": kind, "param": None, "code": error_code}}


def _anthropic_error(code: int, key: str) -> dict:
    kinds = {401: ("authentication_error", f"invalid x-api-key {key}"),
             429: ("rate_limit_error", "Number of requests has exceeded your rate limit."),
             500: ("api_error", "Internal server error."), 529: ("overloaded_error", "Overloaded.")}
    kind, message = kinds.get(code, ("invalid_request_error", "Bad request."))
    return {"type": "error", "error": {"type": kind, "message": message},
            "request_id": f"req_{uuid.uuid4().hex[:24]}"}


class FakeLLM:
    """Start with `with FakeLLM() as fake:`; script with `fake.openai.then(ok({...}), status(429))`."""

    def __init__(self) -> None:
        self.openai = Script()
        self.anthropic = Script()
        self._lock = threading.Lock()
        self._release = threading.Event()  # ends every hang when the server stops
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        # A short poll: shutdown() waits up to one interval, and every test stops a server.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def openai_base_url(self) -> str:
        return f"{self.url}/v1"

    @property
    def anthropic_base_url(self) -> str:
        return self.url

    def __enter__(self) -> FakeLLM:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def _next(self, script: Script, request: Request) -> Behaviour | None:
        with self._lock:
            script.requests.append(request)
            return script.behaviours.popleft() if script.behaviours else None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet: the tests read the recorded requests instead
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                request = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                # Anthropic's SDK 2.x sends an API key as a bearer token like OpenAI's; 0.x used x-api-key.
                bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
                key = request.headers.get("x-api-key") or bearer
                if self.path == "/v1/responses":
                    protocol, script = "openai", fake.openai
                elif self.path == "/v1/messages":
                    protocol, script = "anthropic", fake.anthropic
                else:
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                    return
                behaviour = fake._next(script, request)
                error_body = _openai_error if protocol == "openai" else _anthropic_error
                answer_body = _openai_answer if protocol == "openai" else _anthropic_answer
                if behaviour is None:
                    self._send(400, error_body(400, key))
                elif behaviour.kind == "hang":
                    fake._release.wait(behaviour.seconds)
                    self.close_connection = True
                elif behaviour.kind == "status":
                    headers = {"retry-after": behaviour.retry_after} if behaviour.retry_after else {}
                    self._send(behaviour.status, error_body(behaviour.status, key), headers)
                elif behaviour.kind == "body":
                    self._send_raw(behaviour.status, behaviour.text.encode(), behaviour.content_type)
                elif behaviour.kind == "without":
                    answer = answer_body(body, json.dumps(behaviour.data), behaviour)
                    *parents, name = behaviour.text.split(".")
                    holder = answer
                    for parent in parents:
                        holder = holder[parent]
                    del holder[name]
                    self._send(200, answer)
                else:
                    text = json.dumps(behaviour.data) if behaviour.kind == "ok" else behaviour.text
                    self._send(200, answer_body(body, text, behaviour))

            def _send(self, code: int, payload: dict, headers: dict[str, str] | None = None) -> None:
                self._send_raw(code, json.dumps(payload).encode(), "application/json", headers)

            def _send_raw(self, code: int, raw: bytes, content_type: str,
                          headers: dict[str, str] | None = None) -> None:
                try:
                    self.send_response(code)
                    self.send_header("content-type", content_type)
                    self.send_header("content-length", str(len(raw)))
                    self.send_header("x-request-id", f"req_{uuid.uuid4().hex[:16]}")
                    for name, value in (headers or {}).items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up first
                    pass

        return Handler
