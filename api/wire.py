"""The bytes of a request before anything decodes them: size bounds and strict UTF-8.

ASGI servers decode a percent-encoded URL leniently (bytes that are not UTF-8 become U+FFFD), so a
type can no longer tell what the client sent. This middleware looks at the raw bytes first:

- the path is re-decoded with `surrogateescape`, so a byte that is not UTF-8 reaches the route as a lone
  surrogate, which the type layer (api.types.text) refuses with a 422 naming the path parameter;
- a query parameter whose name or value is not UTF-8 (Starlette decodes the query string after this
  point), or a URL over MAX_URL_BYTES, is noted in request.state: the app answers it (422 naming the
  parameter, 414) once the key's rate limiter has run (api.deps.refuse_unknown_query, api.problems);
- a body over MAX_BODY_BYTES is refused (413) as it is read, before it is read whole (OWASP API4).

A pure ASGI middleware, not a BaseHTTPMiddleware: it costs one scan of the URL per request.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import WIRE_PROBLEM, Problem

# Every request the schema allows fits: a 1,000-character id of 4-byte characters, percent-encoded, is 12 kB.
MAX_URL_BYTES = 16 * 1024
MAX_BODY_BYTES = 1024 * 1024


class WireGuard:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        query: bytes = scope.get("query_string", b"")
        # Found here, answered by the app: the key's dependency raises it after the rate limiter ran, and
        # every error handler prefers it (api.problems), so even these answers are a 429 after the burst.
        problem = _url_problem(raw_path, query)
        if problem is not None:
            scope = {**scope, "state": {**scope.get("state", {}), WIRE_PROBLEM: problem}}
        if not raw_path.isascii() or b"%" in raw_path:
            path = unquote_to_bytes(raw_path).decode("utf-8", "surrogateescape")
            if path != scope["path"]:
                scope = {**scope, "path": path}
        await self.app(scope, _bounded(receive, _content_length(scope)), send)


def _url_problem(raw_path: bytes, query: bytes) -> Problem | None:
    if len(raw_path) + len(query) > MAX_URL_BYTES:
        return Problem(414, "uri-too-long", f"The URL is over {MAX_URL_BYTES:,} bytes; send less.")
    bad = _undecodable_query_parameter(query)
    if bad is not None:
        return Problem(422, "validation-error",
                       f"query.{bad}: not valid UTF-8 once percent-decoded; encode text as UTF-8.",
                       errors=[{"loc": ["query", bad], "msg": "not valid UTF-8", "type": "string_unicode"}])
    return None


def _undecodable_query_parameter(query: bytes) -> str | None:
    """The name of the first query parameter that is not UTF-8 once decoded, or None."""
    if query.isascii() and b"%" not in query:
        return None
    for pair in query.split(b"&"):
        name, _, value = pair.partition(b"=")
        raw_name = unquote_to_bytes(name.replace(b"+", b" "))
        raw_value = unquote_to_bytes(value.replace(b"+", b" "))
        try:
            raw_value.decode("utf-8")
            raw_name.decode("utf-8")
        except UnicodeDecodeError:
            return raw_name.decode("utf-8", "replace")
    return None


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _bounded(receive: Receive, declared: int | None) -> Receive:
    """The body, refused as it is read: at once when its Content-Length is too big, else (chunked) as
    soon as what arrived is. FastAPI reads a body before it solves dependencies; api.deps then runs the
    key's dependency from the error handler, so the 413 passes the rate limiter too."""
    received = 0

    async def bounded() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
        if max(received, declared or 0) > MAX_BODY_BYTES:
            raise HTTPException(413, f"The body is over {MAX_BODY_BYTES:,} bytes; send less.")
        return message

    return bounded
