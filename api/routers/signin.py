"""Sign-in pages for people (issue 11): `GET|POST /login`, `GET /account`, `POST /logout`.

Plain HTML forms (api/templates), no JavaScript; cookies and sessions as api.pages describes. Every
form carries a CSRF token: an HMAC of a cookie value. A right password for a user with MFA starts a
session at the `mfa` stage (api/routers/signin_mfa.py finishes it); one for a user whose tenant
requires MFA and who has none starts it at `enrol`.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from psycopg.rows import dict_row
from starlette.concurrency import run_in_threadpool

from api import pages
from api.database import tenant_transaction
from api.deps import ServicesDep
from api.pages import HTML, NO_NUL, Cookies, CsrfField, NextField, safe_next, sql
from api.problems import ERROR_RESPONSES
from api.types import text
from earmark.identity import events, mfa, sessions

log = logging.getLogger("earmark.api.signin")

router = APIRouter(tags=["sign-in"], responses={k: ERROR_RESPONSES[k] for k in (401, 422)})

Email = Annotated[text(max_length=254, min_length=1, pattern=NO_NUL), pages.Form()]
Password = Annotated[text(max_length=1024, min_length=1, pattern=NO_NUL), pages.Form()]


def _login_page(request: Request, cookies: Cookies, csrf_value: str, status: int = 200, message: str = "",
                email: str = "", next_path: str = "/account") -> HTMLResponse:
    page = pages.page(request, "login.html", status, title="Sign in", message=message, email=email,
                      next=next_path, csrf_token=sessions.csrf_token(csrf_value))
    cookies.set(page, cookies.csrf, csrf_value)
    return page


@router.get("/login", response_class=HTMLResponse, responses={200: HTML})
async def login_form(request: Request, services: ServicesDep,
                     next: Annotated[text(max_length=4000, pattern=NO_NUL), Query()] = "/account"
                     ) -> HTMLResponse:  # noqa: A002
    """The sign-in form: email, password and a CSRF token."""
    cookies = Cookies(request, services.settings.env)
    csrf_value = request.cookies.get(cookies.csrf) or sessions.new_token()
    return _login_page(request, cookies, csrf_value, next_path=safe_next(next))


@router.post("/login", response_class=HTMLResponse, status_code=303, responses={
    303: {"description": "Signed in: on to `next` (a path on this site) or /account; with MFA on to "
                         "/login/mfa, or to /login/mfa/enrol when the tenant requires MFA."},
    401: {"description": "Wrong email or password (the same answer for both)", **HTML},
    403: {"description": "The form's CSRF token is missing or wrong", **HTML},
    429: {"description": "Too many failed sign-ins: wait (Retry-After)", **HTML}})
async def sign_in(request: Request, services: ServicesDep, email: Email, password: Password,
                  csrf_token: CsrfField = "", next: NextField = "/account") -> Response:  # noqa: A002
    """Check the password and start a session; a wrong email and a wrong password look the same."""
    cookies = Cookies(request, services.settings.env)
    csrf_value = request.cookies.get(cookies.csrf)
    rid = pages.request_id()
    next_path = safe_next(next)
    if not sessions.csrf_ok(csrf_value, csrf_token):
        return _login_page(request, cookies, csrf_value or sessions.new_token(), 403,
                           "This sign-in form has expired; reload the page and sign in again.",
                           email=email, next_path=next_path)
    address = request.client.host if request.client else "unknown"
    actor_address = sessions.address_actor(address)
    subjects = {"email_subject": sessions.email_subject(email), "address_subject": sessions.address_subject(
        address), "window": sessions.WINDOW}
    pool = services.pool
    async with pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(sql("signin_failures_count"), subjects)
        failures = await cur.fetchone()
        await cur.execute(sql("signin_candidates"), {"email": email.strip()})
        candidates = await cur.fetchall()
    if failures["account"] >= sessions.ACCOUNT_FAILURES or failures["address"] >= sessions.ADDRESS_FAILURES:
        await _record_all(pool, candidates, "signin_throttled", rid, address=actor_address)
        log.warning("sign-in throttled (request %s)", rid)
        page = _login_page(request, cookies, csrf_value, 429, "Too many failed sign-ins; wait 15 minutes "
                           "and try again.", email=email, next_path=next_path)
        page.headers["Retry-After"] = str(int(sessions.WINDOW.total_seconds()))
        return page
    matched = await run_in_threadpool(sessions.verify_any, [c["password_hash"] for c in candidates], password)
    user = candidates[matched] if matched is not None else None
    if user is None or user["user_status"] != "active" or user["tenant_status"] != "active":
        async with pool.connection() as conn:
            await conn.execute(sql("signin_failures_add"), subjects)
        await _record_all(pool, candidates, "signin_failed", rid, address=actor_address)
        return _login_page(request, cookies, csrf_value, 401, "Wrong email or password.", email=email,
                           next_path=next_path)
    tenant_id, user_id = user["tenant_id"], user["user_id"]
    async with pool.connection() as conn:
        previous = await pages.find_session(conn, request.cookies.get(cookies.session))
        if previous is not None:
            await pages.end_session(conn, previous, rid, "signout")
        async with tenant_transaction(conn, tenant_id), conn.cursor(row_factory=dict_row) as cur:
            has_mfa = await mfa.status(conn, tenant_id, user_id) is not None
            await cur.execute(sql("tenant_requires_mfa"), {"tenant_id": tenant_id})
            requires = (await cur.fetchone())["require_mfa"]
        stage = "mfa" if has_mfa else "enrol" if requires else "complete"
        token = await pages.start_session(conn, tenant_id, user_id, stage)
        async with tenant_transaction(conn, tenant_id):
            if stage == "complete":
                await conn.execute(sql("users_signed_in"), user)
            await events.record(conn, tenant_id, events.user_actor(user_id), "signin", rid,
                                address=actor_address, stage=stage)
        await conn.execute(sql("signin_failures_clear"), subjects)
    answer = pages.redirect(pages.after_stage(stage, next_path))
    pages.set_session_cookie(answer, cookies, token)
    return answer


async def _record_all(pool, candidates: list[dict], action: str, rid: str, **details) -> None:
    """The event in every tenant the email could have meant (the form names no tenant)."""
    async with pool.connection() as conn:
        for candidate in candidates:
            async with tenant_transaction(conn, candidate["tenant_id"]):
                await events.record(conn, candidate["tenant_id"], events.user_actor(candidate["user_id"]),
                                    action, rid, **details)


@router.get("/account", response_class=HTMLResponse, responses={
    200: HTML, 303: {"description": "Not signed in: on to /login"}})
async def account(request: Request, services: ServicesDep) -> Response:
    """Who is signed in, whether MFA is on, and a sign-out form."""
    cookies = Cookies(request, services.settings.env)
    async with services.pool.connection() as conn:
        found = await pages.find_session(conn, request.cookies.get(cookies.session))
        elsewhere = pages.stage_redirect(found, "/account")
        if elsewhere is not None:
            return elsewhere
        async with tenant_transaction(conn, found.tenant_id):
            factor = await mfa.status(conn, found.tenant_id, found.user_id)
    return pages.page(request, "account.html", 200, title="Your account", email=found.email, role=found.role,
                      tenant_name=found.tenant_name, mfa=factor, csrf_token=sessions.csrf_token(found.token))


@router.post("/logout", response_class=HTMLResponse, status_code=303, responses={
    303: {"description": "Signed out: on to /login"},
    403: {"description": "The form's CSRF token is missing or wrong", **HTML}})
async def sign_out(request: Request, services: ServicesDep, csrf_token: CsrfField = "") -> Response:
    """End the session (its token stops working at once) and clear the cookie."""
    cookies = Cookies(request, services.settings.env)
    token = request.cookies.get(cookies.session)
    if not sessions.csrf_ok(token, csrf_token):
        return pages.page(request, "base.html", 403, title="Sign out",
                          message="This form has expired; reload your account page and sign out again.")
    async with services.pool.connection() as conn:
        found = await pages.find_session(conn, token)
        if found is not None:
            await pages.end_session(conn, found, pages.request_id(), "signout")
    answer = pages.redirect("/login")
    cookies.clear_session(answer)
    return answer
