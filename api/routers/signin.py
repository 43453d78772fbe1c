"""Sign-in pages for people (issue 11): `GET|POST /login`, `GET /account`, `POST /logout`.

Plain HTML forms (api/templates), no JavaScript. Sessions live in app.user_sessions behind a cookie
that is `__Host-`, Secure, HttpOnly and SameSite=Lax; in development on a loopback address it is plain
`earmark_session` without Secure (browsers refuse a `__Host-` cookie that is not Secure, and a local
`earmark serve` speaks http). Every form carries a CSRF token: an HMAC of a cookie value.
"""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

import psycopg
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from psycopg.rows import dict_row
from starlette.concurrency import run_in_threadpool

from api.database import tenant_transaction
from api.deps import ServicesDep
from api.problems import ERROR_RESPONSES
from api.types import text
from earmark.identity import sessions
from earmark.sqlfiles import load

log = logging.getLogger("earmark.api.signin")
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
HTML = {"content": {"text/html": {}}}

router = APIRouter(tags=["sign-in"], responses={k: ERROR_RESPONSES[k] for k in (401, 422)})

# min_length 1: a form field sent empty counts as absent for FastAPI, and the schema must say so. The
# pattern tells clients (and the fuzzer) what api.types.text refuses anyway: NUL.
NO_NUL = r"^[^\x00]*$"
Email = Annotated[text(max_length=254, min_length=1, pattern=NO_NUL), Form()]
Password = Annotated[text(max_length=1024, min_length=1, pattern=NO_NUL), Form()]
CsrfField = Annotated[text(max_length=200, pattern=NO_NUL), Form()]
NextField = Annotated[text(max_length=2000, pattern=NO_NUL), Form()]


def _sql(name: str) -> str:
    return load("earmark.identity", name)


class Cookies:
    """The cookie names and flags for this request (see the module's docstring)."""

    def __init__(self, request: Request, env: str) -> None:
        plain = env == "development" and request.url.hostname in LOOPBACK
        self.secure = not plain
        self.session = "earmark_session" if plain else "__Host-earmark_session"
        self.csrf = "earmark_csrf" if plain else "__Host-earmark_csrf"

    def set(self, response: Response, name: str, value: str, max_age: int | None = None) -> None:
        response.set_cookie(name, value, max_age=max_age, path="/", secure=self.secure, httponly=True,
                            samesite="lax")


def safe_next(value: str | None) -> str:
    """Only a path on this site: `//host`, `/\\host` and absolute URLs would send the user elsewhere."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")) or any(
            ord(c) < 32 for c in value):
        return "/account"
    return value


def _page(request: Request, name: str, status: int, **context) -> HTMLResponse:
    page = templates.TemplateResponse(request, name, {"message": "", **context}, status_code=status)
    page.headers["Cache-Control"] = "no-store"
    return page


def _login_page(request: Request, cookies: Cookies, csrf_value: str, status: int = 200, message: str = "",
                email: str = "", next_path: str = "/account") -> HTMLResponse:
    page = _page(request, "login.html", status, title="Sign in", message=message, email=email,
                 next=next_path, csrf_token=sessions.csrf_token(csrf_value))
    cookies.set(page, cookies.csrf, csrf_value)
    return page


async def _event(conn: psycopg.AsyncConnection, tenant_id, actor: str, action: str, request_id: str,
                 **details) -> None:
    async with tenant_transaction(conn, tenant_id):
        await conn.execute(_sql("security_events_insert"), {
            "tenant_id": tenant_id, "actor": actor, "action": action, "request_id": request_id,
            "details": json.dumps(details)})


@router.get("/login", response_class=HTMLResponse, responses={200: HTML})
async def login_form(request: Request, services: ServicesDep,
                     next: Annotated[text(max_length=2000, pattern=NO_NUL), Query()] = "/account"
                     ) -> HTMLResponse:  # noqa: A002
    """The sign-in form: email, password and a CSRF token."""
    cookies = Cookies(request, services.settings.env)
    csrf_value = request.cookies.get(cookies.csrf) or sessions.new_token()
    return _login_page(request, cookies, csrf_value, next_path=safe_next(next))


@router.post("/login", response_class=HTMLResponse, status_code=303, responses={
    303: {"description": "Signed in: on to `next` (a path on this site) or /account."},
    401: {"description": "Wrong email or password (the same answer for both)", **HTML},
    403: {"description": "The form's CSRF token is missing or wrong", **HTML},
    429: {"description": "Too many failed sign-ins: wait (Retry-After)", **HTML}})
async def sign_in(request: Request, services: ServicesDep, email: Email, password: Password,
                  csrf_token: CsrfField = "", next: NextField = "/account") -> Response:  # noqa: A002
    """Check the password and start a session; a wrong email and a wrong password look the same."""
    cookies = Cookies(request, services.settings.env)
    csrf_value = request.cookies.get(cookies.csrf)
    request_id = uuid.uuid4().hex
    next_path = safe_next(next)
    if not sessions.csrf_ok(csrf_value, csrf_token):
        return _login_page(request, cookies, csrf_value or sessions.new_token(), 403,
                           "This sign-in form has expired; reload the page and sign in again.",
                           email=email, next_path=next_path)
    address = request.client.host if request.client else "unknown"
    subjects = {"email_subject": sessions.email_subject(email), "address_subject": sessions.address_subject(
        address), "window": sessions.WINDOW}
    pool = services.pool
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(_sql("signin_failures_count"), subjects)
        failures = await cur.fetchone()
        await cur.execute(_sql("signin_candidates"), {"email": email.strip()})
        candidates = await cur.fetchall()
    if failures["account"] >= sessions.ACCOUNT_FAILURES or failures["address"] >= sessions.ADDRESS_FAILURES:
        async with pool.connection() as conn:
            for candidate in candidates:
                await _event(conn, candidate["tenant_id"], f"user:{candidate['user_id']}", "signin_throttled",
                             request_id, address=sessions.address_actor(address))
        log.warning("sign-in throttled (request %s)", request_id)
        page = _login_page(request, cookies, csrf_value, 429, "Too many failed sign-ins; wait 15 minutes "
                           "and try again.", email=email, next_path=next_path)
        page.headers["Retry-After"] = str(int(sessions.WINDOW.total_seconds()))
        return page
    matched = await run_in_threadpool(sessions.verify_any, [c["password_hash"] for c in candidates], password)
    user = candidates[matched] if matched is not None else None
    if user is None or user["user_status"] != "active" or user["tenant_status"] != "active":
        async with pool.connection() as conn:
            await conn.execute(_sql("signin_failures_add"), subjects)
            for candidate in candidates:
                await _event(conn, candidate["tenant_id"], f"user:{candidate['user_id']}", "signin_failed",
                             request_id, address=sessions.address_actor(address))
        return _login_page(request, cookies, csrf_value, 401, "Wrong email or password.", email=email,
                           next_path=next_path)
    token = sessions.new_token()
    async with pool.connection() as conn:
        await _end_session(conn, request.cookies.get(cookies.session), request_id)
        async with tenant_transaction(conn, user["tenant_id"]):
            await conn.execute(_sql("sessions_insert"), {
                "tenant_id": user["tenant_id"], "token_hash": sessions.token_hash(token),
                "user_id": user["user_id"], "absolute": sessions.ABSOLUTE})
            await conn.execute(_sql("users_signed_in"), user)
        await conn.execute(_sql("signin_failures_clear"), subjects)
        await _event(conn, user["tenant_id"], f"user:{user['user_id']}", "signin", request_id,
                     address=sessions.address_actor(address))
    answer = RedirectResponse(next_path, status_code=303)
    answer.headers["Cache-Control"] = "no-store"
    cookies.set(answer, cookies.session, token, max_age=int(sessions.ABSOLUTE.total_seconds()))
    cookies.set(answer, cookies.csrf, sessions.new_token())  # a new pre-session value: rotated too
    return answer


async def _session(conn: psycopg.AsyncConnection, token: str | None) -> dict | None:
    if not token:
        return None
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(_sql("sessions_find"), {"token_hash": sessions.token_hash(token),
                                                  "idle": sessions.IDLE})
        return await cur.fetchone()


async def _end_session(conn: psycopg.AsyncConnection, token: str | None, request_id: str) -> dict | None:
    """End the session of `token`, if it is live (signing out, or rotated by a new sign-in)."""
    found = await _session(conn, token)
    if found is None:
        return None
    async with tenant_transaction(conn, found["tenant_id"]):
        await conn.execute(_sql("sessions_end"), {"tenant_id": found["tenant_id"],
                                                  "token_hash": sessions.token_hash(token)})
    await _event(conn, found["tenant_id"], f"user:{found['user_id']}", "signout", request_id)
    return found


@router.get("/account", response_class=HTMLResponse, responses={
    200: HTML, 303: {"description": "Not signed in: on to /login"}})
async def account(request: Request, services: ServicesDep) -> Response:
    """Who is signed in, with a sign-out form."""
    cookies = Cookies(request, services.settings.env)
    token = request.cookies.get(cookies.session)
    async with services.pool.connection() as conn:
        found = await _session(conn, token)
    if found is None:
        return RedirectResponse("/login?next=" + quote("/account"), status_code=303)
    return _page(request, "account.html", 200, title="Your account", email=found["email"],
                 role=found["role"], tenant_name=found["tenant_name"], csrf_token=sessions.csrf_token(token))


@router.post("/logout", response_class=HTMLResponse, status_code=303, responses={
    303: {"description": "Signed out: on to /login"},
    403: {"description": "The form's CSRF token is missing or wrong", **HTML}})
async def sign_out(request: Request, services: ServicesDep, csrf_token: CsrfField = "") -> Response:
    """End the session (its token stops working at once) and clear the cookie."""
    cookies = Cookies(request, services.settings.env)
    token = request.cookies.get(cookies.session)
    if not sessions.csrf_ok(token, csrf_token):
        return _page(request, "base.html", 403, title="Sign out",
                     message="This form has expired; reload your account page and sign out again.")
    async with services.pool.connection() as conn:
        await _end_session(conn, token, uuid.uuid4().hex)
    answer = RedirectResponse("/login", status_code=303)
    answer.delete_cookie(cookies.session, path="/", secure=cookies.secure, httponly=True, samesite="lax")
    return answer
