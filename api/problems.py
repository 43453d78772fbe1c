"""RFC 9457 problem details: every error the API returns, each with a stable `type`."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from http import HTTPStatus

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_BASE = "https://earmark.dev/problems/"
MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("earmark.api")


class ProblemDetail(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None


class Problem(Exception):
    """Raise anywhere in a request to answer with a problem detail."""

    def __init__(self, status: int, slug: str, detail: str, headers: dict[str, str] | None = None,
                 **extensions: object) -> None:
        super().__init__(detail)
        self.status, self.slug, self.detail = status, slug, detail
        self.headers = headers or {}
        self.extensions = extensions


# Where api.wire leaves a problem it found in the raw request (request.state), for the app to answer.
WIRE_PROBLEM = "wire_problem"


def wire_problem(request: Request) -> Problem | None:
    return getattr(request.state, WIRE_PROBLEM, None)


def unauthorized(detail: str) -> Problem:
    return Problem(401, "unauthorized", detail, headers={"WWW-Authenticate": 'Bearer realm="earmark"'})


def forbidden(detail: str, slug: str = "forbidden") -> Problem:
    return Problem(403, slug, detail)


def not_found(detail: str) -> Problem:
    return Problem(404, "not-found", detail)


def instance(request: Request) -> str:
    """The request's path as sent (percent-encoded): the decoded path may hold lone surrogates that stand
    for bytes that were not UTF-8 (api.wire), which JSON cannot carry."""
    raw = request.scope.get("raw_path")
    return raw.decode("ascii", "replace") if raw else request.url.path


def _response(request: Request, status: int, slug: str, detail: str, headers: dict[str, str] | None = None,
              **extensions: object) -> JSONResponse:
    body = {"type": PROBLEM_BASE + slug, "title": HTTPStatus(status).phrase, "status": status,
            "detail": detail, "instance": instance(request), **extensions}
    return JSONResponse(body, status_code=status, headers=headers, media_type=MEDIA_TYPE)


# Documented on every route so that clients (and schemathesis) know the error shape. 400 is a body
# that is not JSON at all (routes with a body document it); 422 a body or query that breaks the schema.
ERROR_RESPONSES = {
    code: {"model": ProblemDetail, "content": {MEDIA_TYPE: {}}, "description": HTTPStatus(code).phrase}
    for code in (400, 401, 403, 404, 409, 410, 413, 414, 422, 429, 503)
}
# Every route can meet these (api.wire refuses oversized requests before routing).
WIRE_RESPONSES = {code: ERROR_RESPONSES[code] for code in (413, 414)}


def _allowed_methods(request: Request) -> str | None:
    """Every method the OpenAPI document lists for the request's path, for the 405's Allow header.

    The router's own 405 names only the methods of the first route matching the path (GET /keys, not
    POST /keys as well), so the schema, which lists them all, is the source.
    """
    app = request.app
    table = getattr(app.state, "allowed_methods", None)
    if table is None:
        table = []
        for path, operations in app.openapi().get("paths", {}).items():
            pattern = re.compile(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)))
            table.append((pattern, ", ".join(sorted(m.upper() for m in operations if m in _HTTP_METHODS))))
        app.state.allowed_methods = table
    for pattern, methods in table:
        if pattern.fullmatch(request.url.path):
            return methods
    return None


_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


# The answer to a request whose database is gone (pool exhausted, server down, statement timeout).
DATABASE_UNAVAILABLE = ("The database does not answer; retry shortly, and if it persists see "
                        "`earmark db status`.")
DATABASE_RETRY_SECONDS = "5"

BeforeError = Callable[[Request], Awaitable[tuple["Problem | None", dict[str, str]]]]


def install(app: FastAPI, before_error: BeforeError | None = None) -> None:
    """Problem handlers for every error; `before_error` runs first (api.deps.limit_before_error: the
    rate limiter decides an error answer as it decides a success, and may turn it into a 429)."""

    async def answer(request: Request, status: int, slug: str, detail: str,
                     headers: dict[str, str] | None = None, **extensions: object) -> JSONResponse:
        found = wire_problem(request)
        if found is not None and status not in (401, 403, 429):  # the raw request's fault comes first
            status, slug, detail, headers, extensions = (found.status, found.slug, found.detail,
                                                         found.headers, found.extensions)
        if before_error is not None:
            refused, limit_headers = await before_error(request)
            if refused is not None:
                return _response(request, refused.status, refused.slug, refused.detail, refused.headers,
                                 **refused.extensions)
            headers = {**limit_headers, **(headers or {})}
        return _response(request, status, slug, detail, headers, **extensions)

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return await answer(request, exc.status, exc.slug, exc.detail, exc.headers, **exc.extensions)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
                  for e in exc.errors()]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(part) for part in first["loc"])
        return await answer(request, 422, "validation-error", f"{where}: {first['msg']}", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug = {400: "malformed-body", 404: "not-found", 405: "method-not-allowed",
                413: "payload-too-large"}.get(
            exc.status_code, "http-error")
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
        return await answer(request, exc.status_code, slug, str(exc.detail), headers)

    async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # No limiter here: it lives in the database that just failed.
        log.warning("database unavailable on %s: %s", instance(request), type(exc).__name__)
        return _response(request, 503, "database-unavailable", DATABASE_UNAVAILABLE,
                         {"Retry-After": DATABASE_RETRY_SECONDS})

    for error in (psycopg.OperationalError, PoolTimeout):
        app.add_exception_handler(error, _database_unavailable)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", instance(request))
        return await answer(request, 500, "internal-error", "Something went wrong on our side; try again.")
