"""The second step of sign-in (issue 11, point 4): `/login/mfa` for a user with MFA, and
`/login/mfa/enrol` for a user whose tenant requires MFA and who has none yet.

Both need the half-way session the password step started. Success rotates the session (a new token,
stage complete). Each try takes one of five attempts first (atomically, so parallel guesses cannot take
more), and the fifth wrong one ends the pending session; twenty wrong codes in a day lock the factor
(earmark.identity.mfa).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from api import pages
from api.database import tenant_transaction
from api.deps import ServicesDep
from api.pages import HTML, NO_NUL, Cookies, CsrfField, NextField, SignedIn, safe_next, sql
from api.problems import ERROR_RESPONSES
from api.types import text
from earmark.identity import mfa, sessions
from earmark.identity.mfa import Outcome

router = APIRouter(tags=["sign-in"], responses={k: ERROR_RESPONSES[k] for k in (422,)})

CodeField = Annotated[text(max_length=64, pattern=NO_NUL), Form()]
NextQuery = Annotated[text(max_length=4000, pattern=NO_NUL), Query()]
MESSAGES = {
    Outcome.WRONG: "That code is not right; type the code your app shows now.",
    Outcome.MALFORMED: "A code is exactly 6 digits (a recovery code is 10 letters and digits).",
    Outcome.REPLAY: "That code was already used; wait for the next one and type it.",
    Outcome.LOCKED: "Your authenticator is locked after too many wrong codes today; use a recovery code, or "
                    "ask an admin of your tenant.",
}
RESPONSES = {200: HTML, 303: {"description": "On to `next`, or back to /login when there is no pending "
                                             "sign-in"},
             401: {"description": "A wrong, reused or malformed code", **HTML},
             403: {"description": "The form's CSRF token is missing or wrong", **HTML}}


async def _pending(request: Request, services, stage: str, next_path: str
                   ) -> tuple[Cookies, SignedIn | None, Response | None]:
    """The session at `stage`, or where to go instead (one lookup): a finished sign-in goes on to
    `next_path`, another pending stage to its page, no session to /login."""
    cookies = Cookies(request, services.settings.env)
    async with services.pool.connection() as conn:
        found = await pages.find_session(conn, request.cookies.get(cookies.session))
    if found is not None and found.stage == stage:
        return cookies, found, None
    if found is not None:
        return cookies, None, pages.redirect(pages.after_stage(found.stage, next_path))
    return cookies, None, pages.redirect("/login?next=" + pages.quote(next_path, safe=""))


async def _finish(conn, found: SignedIn, cookies: Cookies, rid: str, response: Response) -> Response:
    """Rotate: the pending session ends and a complete one starts, under a new token."""
    await pages.end_session(conn, found, rid, None)
    token = await pages.start_session(conn, found.tenant_id, found.user_id, "complete")
    async with tenant_transaction(conn, found.tenant_id):
        await conn.execute(sql("users_signed_in"), {"tenant_id": found.tenant_id, "user_id": found.user_id})
    pages.set_session_cookie(response, cookies, token)
    return response


async def _attempt(conn, found: SignedIn) -> int | None:
    """Take one of the pending sign-in's attempts before any code is checked: which one it is (1 to 5),
    or None when none is left."""
    async with tenant_transaction(conn, found.tenant_id), conn.cursor() as cur:
        await cur.execute(sql("sessions_mfa_attempt"), {"tenant_id": found.tenant_id,
                                                         "session_id": found.session_id,
                                                         "limit": mfa.PENDING_FAILURES})
        taken = await cur.fetchone()
    return taken[0] if taken else None


async def _ended(conn, request: Request, found: SignedIn, cookies: Cookies, rid: str) -> Response:
    await pages.end_session(conn, found, rid, "mfa_pending_ended")
    answer = pages.page(request, "base.html", 401, title="Sign in",
                        message="Too many wrong codes; this sign-in has ended. Sign in again.")
    cookies.clear_session(answer)
    return answer


async def _failed(conn, request: Request, found: SignedIn, cookies: Cookies, rid: str, attempt: int,
                  template: str, outcome: Outcome, **context) -> Response:
    """A wrong code: after the fifth attempt the pending sign-in ends."""
    if attempt >= mfa.PENDING_FAILURES:
        return await _ended(conn, request, found, cookies, rid)
    return pages.page(request, template, 401, message=MESSAGES[outcome],
                      csrf_token=sessions.csrf_token(found.token), **context)


@router.get("/login/mfa", response_class=HTMLResponse, responses=RESPONSES)
async def mfa_form(request: Request, services: ServicesDep, next: NextQuery = "/account") -> Response:  # noqa: A002
    """The code form for a user whose password was right and who has MFA."""
    next_path = safe_next(next)
    _, found, elsewhere = await _pending(request, services, "mfa", next_path)
    if elsewhere is not None:
        return elsewhere
    return pages.page(request, "mfa.html", 200, title="Two-step sign-in", next=next_path,
                      csrf_token=sessions.csrf_token(found.token))


@router.post("/login/mfa", response_class=HTMLResponse, status_code=303, responses=RESPONSES)
async def mfa_check(request: Request, services: ServicesDep, csrf_token: CsrfField = "",
                    code: CodeField = "", recovery_code: CodeField = "",
                    next: NextField = "/account") -> Response:  # noqa: A002
    """Check a TOTP code (or a recovery code) and finish signing in."""
    next_path = safe_next(next)
    cookies, found, elsewhere = await _pending(request, services, "mfa", next_path)
    if elsewhere is not None:
        return elsewhere
    if not sessions.csrf_ok(found.token, csrf_token):
        return pages.page(request, "mfa.html", 403, title="Two-step sign-in", next=next_path,
                          message="This form has expired; reload the page.",
                          csrf_token=sessions.csrf_token(found.token))
    rid = pages.request_id()
    async with services.pool.connection() as conn:
        attempt = await _attempt(conn, found)
        if attempt is None:
            return await _ended(conn, request, found, cookies, rid)
        async with tenant_transaction(conn, found.tenant_id):
            if code:
                outcome = await mfa.check_code(conn, found.tenant_id, found.user_id, code.strip(), rid)
            elif recovery_code:
                outcome = await mfa.check_recovery_code(conn, found.tenant_id, found.user_id, recovery_code,
                                                        rid)
            else:
                outcome = Outcome.MALFORMED
        if outcome.accepted:
            return await _finish(conn, found, cookies, rid, pages.redirect(next_path))
        return await _failed(conn, request, found, cookies, rid, attempt, "mfa.html", outcome,
                             title="Two-step sign-in", next=next_path)


@router.get("/login/mfa/enrol", response_class=HTMLResponse, responses=RESPONSES)
async def enrol_form(request: Request, services: ServicesDep,
                     next: NextQuery = "/account") -> Response:  # noqa: A002
    """A new secret to add to an authenticator, for a tenant that requires MFA."""
    next_path = safe_next(next)
    _, found, elsewhere = await _pending(request, services, "enrol", next_path)
    if elsewhere is not None:
        return elsewhere
    async with services.pool.connection() as conn, tenant_transaction(conn, found.tenant_id):
        enrolment = await mfa.start(conn, found.tenant_id, found.user_id, found.email, services.settings)
    return pages.page(request, "enrol.html", 200, title="Set up two-step sign-in", next=next_path,
                      tenant_name=found.tenant_name, secret=enrolment.secret,
                      otpauth_uri=enrolment.otpauth_uri,
                      csrf_token=sessions.csrf_token(found.token))


@router.post("/login/mfa/enrol", response_class=HTMLResponse, responses=RESPONSES)
async def enrol_confirm(request: Request, services: ServicesDep, csrf_token: CsrfField = "",
                        code: CodeField = "", next: NextField = "/account") -> Response:  # noqa: A002
    """Confirm the new factor with its first code: MFA is on, and the recovery codes are shown once."""
    next_path = safe_next(next)
    cookies, found, elsewhere = await _pending(request, services, "enrol", next_path)
    if elsewhere is not None:
        return elsewhere
    rid = pages.request_id()
    async with services.pool.connection() as conn:
        async with tenant_transaction(conn, found.tenant_id):
            enrolment = await mfa.pending(conn, found.tenant_id, found.user_id, found.email,
                                          services.settings)
        context = {"title": "Set up two-step sign-in", "next": next_path, "tenant_name": found.tenant_name,
                   "secret": enrolment.secret if enrolment else "", "otpauth_uri": enrolment.otpauth_uri
                   if enrolment else ""}
        if not sessions.csrf_ok(found.token, csrf_token):
            return pages.page(request, "enrol.html", 403, message="This form has expired; reload the page.",
                              csrf_token=sessions.csrf_token(found.token), **context)
        attempt = await _attempt(conn, found)
        if attempt is None:
            return await _ended(conn, request, found, cookies, rid)
        try:
            async with tenant_transaction(conn, found.tenant_id):
                codes = await mfa.confirm(conn, found.tenant_id, found.user_id, code.strip(), rid,
                                          settings=services.settings)
        except mfa.MfaError:
            outcome = Outcome.WRONG if mfa.totp.is_code_shaped(code.strip()) else Outcome.MALFORMED
            return await _failed(conn, request, found, cookies, rid, attempt, "enrol.html", outcome,
                                 **context)
        answer = pages.page(request, "recovery_codes.html", 200, title="Recovery codes", codes=codes,
                            next=next_path)
        return await _finish(conn, found, cookies, rid, answer)

