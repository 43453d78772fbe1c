"""The OAuth 2.1 authorization server's routes (issue 11, point 3), over api.oauth_server.

`/oauth/authorize` (GET: checks, sign-in, consent page; POST: the consent decision), `/oauth/token`,
`/oauth/revoke`, `/oauth/introspect`, and RFC 8414 metadata at `/.well-known/oauth-authorization-server`.
An error the client can be told about goes back to its (verified) redirect URI; one about the client
or its redirect URI itself is an HTML page with 400, never a redirect.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated
from urllib.parse import unquote

import anyio.to_thread
from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from psycopg.rows import dict_row

from api import pages
from api.database import tenant_transaction
from api.deps import ServicesDep
from api.oauth_server import Request as OAuthRequest
from api.pages import HTML, Cookies, CsrfField, sql
from api.problems import ERROR_RESPONSES
from api.types import text
from earmark.credentials import TENANT_SCOPES
from earmark.identity import events, oauth, roles, sessions

# 422: a parameter the API refuses everywhere (NUL, bytes that are not UTF-8, too long), as a problem.
router = APIRouter(tags=["oauth"], responses={422: ERROR_RESPONSES[422]})


UNQUOTABLE = (400, {"error": "invalid_request", "error_description": "A parameter holds characters an OAuth "
                   "error cannot quote (such as a double quote or a backslash)."}, [])


async def in_oauth_thread(fn, *args):
    """authlib in a worker thread of the server's own limiter (api.oauth_server.Server.threads).

    authlib quotes some parameters in its error descriptions and refuses (ValueError) to build one with
    characters RFC 6749 forbids there; that request is an invalid_request, answered as authlib would."""
    try:
        return await anyio.to_thread.run_sync(fn, *args, limiter=fn.__self__.threads)
    except ValueError as error:
        if "forbidden characters" not in str(error):
            raise
        return UNQUOTABLE


MAX_VALUE = 2000
# RFC 6749 appendix A: every parameter of the protocol is printable ASCII (VSCHAR, NQCHAR, URI).
VSCHAR = r"^[\x20-\x7E]*$"
Field = Annotated[text(max_length=MAX_VALUE, pattern=VSCHAR) | None, Form()]
JSON = {"content": {"application/json": {}}}
TOKEN_ERRORS = {400: {"description": "An RFC 6749 error: invalid_request, invalid_grant, "
                                     "unsupported_grant_type, invalid_scope, unauthorized_client", **JSON},
                401: {"description": "invalid_client: unknown client or wrong secret", **JSON}}


def _oauth_request(request: Request, form: list[tuple[str, str]] | None = None) -> OAuthRequest:
    issuer = request.app.state.services.settings.issuer.rstrip("/")
    return OAuthRequest(request.method, issuer + request.url.path, request.headers,
                        request.url.query, form or [], pages.request_id(), parameters_in_query=form is None)


BAD_VALUE = "A parameter is too long or holds characters OAuth does not allow (only printable ASCII)."


def _bad_values(pairs) -> bool:
    """Values authlib must not see: too long, or not printable ASCII (RFC 6749 appendix A; authlib would
    fail building an error description that quotes them)."""
    return any(len(value) > MAX_VALUE or not all(" " <= c <= "~" for c in value) for _, value in pairs)


def _with_iss(location: str, issuer: str) -> str:
    """RFC 9207: the authorization response names its issuer (as the metadata does), against mix-up."""
    return add_params_to_uri(location, [("iss", issuer.rstrip("/"))])


def _answer(status: int, body, headers, issuer: str, redirect_status: int | None = None) -> Response:
    headers = dict(headers)
    location = headers.pop("Location", None)
    if location is not None:
        answer = Response(status_code=redirect_status or status, media_type="text/html",
                          headers={"Location": _with_iss(location, issuer)})
        answer.headers["Cache-Control"] = "no-store"
        return answer
    answer = JSONResponse(body, status_code=status, headers=headers)
    if isinstance(body, dict) and body.get("error") == "invalid_client":
        answer.status_code = 401
        answer.headers["WWW-Authenticate"] = 'Basic realm="earmark"'
    answer.headers["Cache-Control"] = "no-store"
    answer.headers["Pragma"] = "no-cache"
    return answer


def _error_page(request: Request, detail: str) -> HTMLResponse:
    return pages.page(request, "base.html", 400, title="This sign-in link does not work",
                      message=f"{detail} Go back to the application and try again, or tell its developers.")


async def _validated(request: Request, services, oauth_request: OAuthRequest):
    """(grant, None) for a valid authorization request, or (None, the response for an invalid one)."""
    server = services.oauth
    try:
        grant = await in_oauth_thread(server.get_consent_grant, oauth_request, None)
        if grant is UNQUOTABLE:
            return None, _error_page(request, UNQUOTABLE[1]["error_description"])
    except OAuth2Error as error:
        if error.redirect_uri:
            answer = server.handle_error_response(oauth_request, error)
            return None, _answer(*answer, services.settings.issuer)
        return None, _error_page(request, error.description or f"The request is refused ({error.error}).")
    return grant, None


AUTHORIZE_RESPONSES = {200: {"description": "The consent page", **HTML},
                       302: {"description": "Back to the client's redirect URI with `code` (or `error`)"},
                       303: {"description": "Not signed in: on to /login (and /login/mfa) and back"},
                       400: {"description": "Unknown client or unregistered redirect URI: an error page, "
                                            "never a redirect", **HTML}}
QueryField = Annotated[text(max_length=MAX_VALUE, pattern=VSCHAR) | None, Query()]


async def _signed_in(request: Request, services) -> tuple[pages.SignedIn | None, Response | None]:
    cookies = Cookies(request, services.settings.env)
    async with services.pool.connection() as conn:
        found = await pages.find_session(conn, request.cookies.get(cookies.session))
    here = request.url.path + ("?" + request.url.query if request.url.query else "")
    return found, pages.stage_redirect(found, here)


def _scope_problem(grant, found: pages.SignedIn) -> str | None:
    asked = oauth.scope_list(grant.request.scope)
    beyond = sorted(set(asked) - set(roles.ROLE_SCOPES[found.role]))
    if beyond:
        return f"Your role ({found.role}) cannot grant {', '.join(beyond)}."
    if grant.request.client.tenant_id != found.tenant_id:
        return "This application belongs to another tenant than the one you are signed in to."
    return None


async def _authorization(request: Request, services):
    """(the OAuth request, its grant, the signed-in user) for a valid authorization request of a signed-in
    user, or the answer instead: an error page or redirect, or on to /login (and /login/mfa)."""
    if _bad_values(request.query_params.multi_items()):
        return _error_page(request, BAD_VALUE)
    oauth_request = _oauth_request(request)
    grant, refused = await _validated(request, services, oauth_request)
    if refused is not None:
        return refused
    found, elsewhere = await _signed_in(request, services)
    if elsewhere is not None:
        return elsewhere
    return oauth_request, grant, found


async def _issue(request: Request, services, grant, found, oauth_request, status: int) -> Response:
    user = {"id": found.user_id, "email": found.email, "role": found.role}
    server = services.oauth
    answer = await in_oauth_thread(server.create_authorization_response, oauth_request, user, grant)
    return _answer(*answer, services.settings.issuer, redirect_status=status)


# The parameters are declared so the API refuses what it refuses everywhere (422) and OpenAPI lists
# them; authlib reads them from the query itself, repeated ones included (which it refuses).
@router.get("/oauth/authorize", response_class=HTMLResponse, responses=AUTHORIZE_RESPONSES)
async def authorize(request: Request, services: ServicesDep, response_type: QueryField = None,
                    client_id: QueryField = None, redirect_uri: QueryField = None, scope: QueryField = None,
                    state: QueryField = None, code_challenge: QueryField = None,
                    code_challenge_method: QueryField = None) -> Response:
    """Start an authorization code flow (PKCE with S256 required)."""
    started = await _authorization(request, services)
    if isinstance(started, Response):
        return started
    oauth_request, grant, found = started
    problem = _scope_problem(grant, found)
    if problem:
        error = {"error": "invalid_scope", "error_description": problem}
        if grant.request.payload.state:
            error["state"] = grant.request.payload.state
        return _answer(302, "", [("Location", add_params_to_uri(grant.redirect_uri, list(error.items())))],
                       services.settings.issuer)
    client = grant.request.client
    asked = oauth.scope_list(grant.request.scope)
    async with services.pool.connection() as conn, tenant_transaction(conn, found.tenant_id), \
            conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(sql("oauth_consent_get"), {"tenant_id": found.tenant_id, "user_id": found.user_id,
                                                     "client": client.id})
        consent = await cur.fetchone()
    if consent is not None and set(asked) <= set(consent["scopes"]):
        return await _issue(request, services, grant, found, oauth_request, 302)
    return pages.page(request, "consent.html", 200, title="Allow access?", client_name=client.name,
                      email=found.email, tenant_name=found.tenant_name, scopes=asked,
                      action="/oauth/authorize?" + request.url.query,
                      csrf_token=sessions.csrf_token(found.token))


@router.post("/oauth/authorize", response_class=HTMLResponse, responses={
    **AUTHORIZE_RESPONSES, 303: {"description": "Back to the client with `code`, or `error=access_denied`"},
    403: {"description": "The form's CSRF token is missing or wrong", **HTML}})
async def decide(request: Request, services: ServicesDep, decision: Annotated[
        text(max_length=10, pattern=r"^(allow|deny)$"), Form()], csrf_token: CsrfField = "",
                 response_type: QueryField = None, client_id: QueryField = None,
                 redirect_uri: QueryField = None, scope: QueryField = None, state: QueryField = None,
                 code_challenge: QueryField = None, code_challenge_method: QueryField = None) -> Response:
    """The consent form's answer: `decision=allow` issues a code, `decision=deny` sends access_denied."""
    started = await _authorization(request, services)
    if isinstance(started, Response):
        return started
    oauth_request, grant, found = started
    if not sessions.csrf_ok(found.token, csrf_token):
        return pages.page(request, "base.html", 403, title="Allow access?",
                          message="This form has expired; go back to the application and start again.")
    problem = _scope_problem(grant, found)
    if problem:
        return _error_page(request, problem)
    client = grant.request.client
    asked = oauth.scope_list(grant.request.scope)
    rid = oauth_request.request_id
    async with services.pool.connection() as conn, tenant_transaction(conn, found.tenant_id):
        if decision == "allow":
            await conn.execute(sql("oauth_consent_save"), {
                "tenant_id": found.tenant_id, "user_id": found.user_id, "client": client.id, "scopes": asked})
        await events.record(conn, found.tenant_id, events.user_actor(found.user_id),
                            "oauth_consent_granted" if decision == "allow" else "oauth_consent_denied", rid,
                            client_id=client.client_id, scopes=asked)
    if decision == "allow":
        return await _issue(request, services, grant, found, oauth_request, 303)
    server = services.oauth
    answer = await in_oauth_thread(server.create_authorization_response, oauth_request, None, grant)
    return _answer(*answer, services.settings.issuer, redirect_status=303)


def _basic_ok(request: Request) -> bool:
    """An `Authorization: Basic` header authlib can read: base64 of UTF-8 `id:secret`, no NUL (authlib
    itself would fail on bytes that are not UTF-8)."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return True
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return ":" in decoded and "\x00" not in unquote(decoded) and len(decoded) <= MAX_VALUE


async def _form(request: Request) -> list[tuple[str, str]] | Response:
    """The form's pairs, or the RFC 6749 error for a request authlib must not see."""
    if not _basic_ok(request):
        return _answer(401, {"error": "invalid_client", "error_description": "The Authorization header is "
                             "not Basic base64 of client_id:client_secret."}, [], "")
    form = await request.form()
    pairs = [(key, value) for key, value in form.multi_items() if isinstance(value, str)]
    if _bad_values(pairs):
        return _invalid_request(BAD_VALUE)
    names = [key for key, _ in pairs]
    if len(names) != len(set(names)):  # RFC 6749 section 3.2: no parameter more than once
        repeated = next(name for name in names if names.count(name) > 1)
        return _invalid_request(f"The parameter {repeated!r} is repeated.")
    return pairs


def _invalid_request(detail: str) -> Response:
    return _answer(400, {"error": "invalid_request", "error_description": detail}, [], "")


async def _endpoint(request: Request, services, fn, *args) -> Response:
    """A form-posting endpoint (token, revocation, introspection): checked form, then authlib."""
    pairs = await _form(request)
    if isinstance(pairs, Response):
        return pairs
    answer = await in_oauth_thread(fn, *args, _oauth_request(request, pairs))
    return _answer(*answer, services.settings.issuer)


@router.post("/oauth/token", response_class=JSONResponse, responses={
    200: {"description": "access_token, token_type, expires_in, scope (and refresh_token)", **JSON},
    **TOKEN_ERRORS})
async def token(request: Request, services: ServicesDep, grant_type: Field = None, code: Field = None,
                redirect_uri: Field = None, code_verifier: Field = None, refresh_token: Field = None,
                scope: Field = None, client_id: Field = None, client_secret: Field = None) -> Response:
    """Exchange a code (with its PKCE verifier), a refresh token, or client credentials for tokens."""
    return await _endpoint(request, services, services.oauth.create_token_response)


@router.post("/oauth/revoke", response_class=JSONResponse, responses={
    200: {"description": "Revoked, or unknown (RFC 7009 answers 200 either way)", **JSON}, **TOKEN_ERRORS})
async def revoke(request: Request, services: ServicesDep, token: Field = None, token_type_hint: Field = None,
                 client_id: Field = None, client_secret: Field = None) -> Response:
    """RFC 7009. Revoking a refresh token ends its whole grant."""
    return await _endpoint(request, services, services.oauth.create_endpoint_response, "revocation")


@router.post("/oauth/introspect", response_class=JSONResponse, responses={
    200: {"description": "RFC 7662: `{\"active\": false}` for anything revoked, expired or unknown", **JSON},
    **TOKEN_ERRORS})
async def introspect(request: Request, services: ServicesDep, token: Field = None,
                     token_type_hint: Field = None, client_id: Field = None,
                     client_secret: Field = None) -> Response:
    """RFC 7662, for confidential clients (their own tokens)."""
    return await _endpoint(request, services, services.oauth.create_endpoint_response, "introspection")


def metadata(issuer: str) -> dict:
    issuer = issuer.rstrip("/")
    document = {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/oauth/authorize",
        "token_endpoint": f"{issuer}/oauth/token",
        "revocation_endpoint": f"{issuer}/oauth/revoke",
        "introspection_endpoint": f"{issuer}/oauth/introspect",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": list(oauth.GRANT_TYPES),
        "code_challenge_methods_supported": ["S256"],
        "scopes_supported": list(TENANT_SCOPES),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "authorization_response_iss_parameter_supported": True,
    }
    AuthorizationServerMetadata(document).validate()
    return document


@router.get("/.well-known/oauth-authorization-server", responses={200: {
    "description": "RFC 8414 authorization server metadata", **JSON}})
async def server_metadata(services: ServicesDep) -> JSONResponse:
    """What a client needs to know to use this server (RFC 8414)."""
    return JSONResponse(metadata(services.settings.issuer), headers={"Cache-Control": "public, max-age=3600"})


