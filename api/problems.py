"""RFC 9457 problem details: every error the API returns, each with a stable `type`."""

from __future__ import annotations

import logging
import re
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
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


def unauthorized(detail: str) -> Problem:
    return Problem(401, "unauthorized", detail, headers={"WWW-Authenticate": 'Bearer realm="earmark"'})


def forbidden(detail: str, slug: str = "forbidden") -> Problem:
    return Problem(403, slug, detail)


def not_found(detail: str) -> Problem:
    return Problem(404, "not-found", detail)


def _response(request: Request, status: int, slug: str, detail: str, headers: dict[str, str] | None = None,
              **extensions: object) -> JSONResponse:
    body = {"type": PROBLEM_BASE + slug, "title": HTTPStatus(status).phrase, "status": status,
            "detail": detail, "instance": request.url.path, **extensions}
    return JSONResponse(body, status_code=status, headers=headers, media_type=MEDIA_TYPE)


# Documented on every route so that clients (and schemathesis) know the error shape. 400 is a body
# that is not JSON at all (routes with a body document it); 422 a body or query that breaks the schema.
ERROR_RESPONSES = {
    code: {"model": ProblemDetail, "content": {MEDIA_TYPE: {}}, "description": HTTPStatus(code).phrase}
    for code in (400, 401, 403, 404, 409, 422, 429, 503)
}


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


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return _response(request, exc.status, exc.slug, exc.detail, exc.headers, **exc.extensions)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
                  for e in exc.errors()]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(part) for part in first["loc"])
        return _response(request, 422, "validation-error", f"{where}: {first['msg']}", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug = {400: "malformed-body", 404: "not-found", 405: "method-not-allowed"}.get(
            exc.status_code, "http-error")
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
        return _response(request, exc.status_code, slug, str(exc.detail), headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return _response(request, 500, "internal-error", "Something went wrong on our side; try again.")
