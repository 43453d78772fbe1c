"""The bytes of a request before anything decodes them: size bounds and strict UTF-8.

ASGI servers decode a percent-encoded URL leniently (bytes that are not UTF-8 become U+FFFD), so a
type can no longer tell what the client sent. This middleware looks at the raw bytes first:

- the path is re-decoded with `surrogateescape`, so a byte that is not UTF-8 reaches the route as a lone
  surrogate, which the type layer (api.types.text) refuses with a 422 naming the path parameter;
- a query parameter whose name or value is not UTF-8 is a 422 naming it, here, since the query string is
  decoded by Starlette after this point;
- URLs over MAX_URL_BYTES (414) and bodies over MAX_BODY_BYTES (413) are refused before they are read
  whole (OWASP API4, unrestricted resource consumption).

A pure ASGI middleware, not a BaseHTTPMiddleware: it costs one scan of the URL per request.
"""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import unquote_to_bytes

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import MEDIA_TYPE, PROBLEM_BASE

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
        if len(raw_path) + len(query) > MAX_URL_BYTES:
            await _problem(414, "uri-too-long", f"The URL is over {MAX_URL_BYTES:,} bytes; send less.",
                           raw_path)(scope, receive, send)
            return
        bad = _undecodable_query_parameter(query)
        if bad is not None:
            await _problem(422, "validation-error",
                           f"query.{bad}: not valid UTF-8 once percent-decoded; encode text as UTF-8.",
                           raw_path, errors=[{"loc": ["query", bad], "msg": "not valid UTF-8",
                                              "type": "string_unicode"}])(scope, receive, send)
            return
        if not raw_path.isascii() or b"%" in raw_path:
            path = unquote_to_bytes(raw_path).decode("utf-8", "surrogateescape")
            if path != scope["path"]:
                scope = {**scope, "path": path}
        length = _content_length(scope)
        if length is not None and length > MAX_BODY_BYTES:
            await _problem(413, "payload-too-large", f"The body is over {MAX_BODY_BYTES:,} bytes; send less.",
                           raw_path)(scope, receive, send)
            return
        await self.app(scope, _bounded(receive), send)


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


def _bounded(receive: Receive) -> Receive:
    """A body sent without Content-Length (chunked) is counted as it arrives."""
    received = 0

    async def bounded() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > MAX_BODY_BYTES:
                raise HTTPException(413, f"The body is over {MAX_BODY_BYTES:,} bytes; send less.")
        return message

    return bounded


def _problem(status: int, slug: str, detail: str, raw_path: bytes, **extensions: object) -> JSONResponse:
    body = {"type": PROBLEM_BASE + slug, "title": HTTPStatus(status).phrase, "status": status,
            "detail": detail, "instance": raw_path.decode("ascii", "replace"),
            **extensions}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)
