"""What the server-rendered pages share: cookies, templates, form fields, the signed-in session.

Sessions live in app.user_sessions behind a cookie that is `__Host-`, Secure, HttpOnly and
SameSite=Lax; in development on a loopback address it is plain `earmark_session` without Secure
(browsers refuse a `__Host-` cookie that is not Secure, and a local `earmark serve` speaks http).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import quote
from uuid import UUID

import psycopg
from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from psycopg.rows import dict_row

from api.database import tenant_transaction
from api.types import text
from earmark.identity import events, sessions
from earmark.sqlfiles import load

templates = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
HTML = {"content": {"text/html": {}}}

# min_length 1: a form field sent empty counts as absent for FastAPI, and the schema must say so. The
# pattern tells clients (and the fuzzer) what api.types.text refuses anyway: NUL.
NO_NUL = r"^[^\x00]*$"
CsrfField = Annotated[text(max_length=200, pattern=NO_NUL), Form()]
NextField = Annotated[text(max_length=4000, pattern=NO_NUL), Form()]


def sql(name: str) -> str:
    return load("earmark.identity", name)


def request_id() -> str:
    return uuid.uuid4().hex


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

    def clear_session(self, response: Response) -> None:
        response.delete_cookie(self.session, path="/", secure=self.secure, httponly=True, samesite="lax")


def safe_next(value: str | None) -> str:
    """Only a path on this site: `//host`, `/\\host` and absolute URLs would send the user elsewhere."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")) or any(
            ord(c) < 32 for c in value):
        return "/account"
    return value


def page(request: Request, name: str, status: int, **context) -> HTMLResponse:
    answer = templates.TemplateResponse(request, name, {"message": "", **context}, status_code=status)
    answer.headers["Cache-Control"] = "no-store"
    # No page here may be framed (clickjacking a consent or sign-in form, RFC 9700 section 4.16).
    answer.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
    answer.headers["X-Frame-Options"] = "DENY"
    return answer


def redirect(location: str) -> RedirectResponse:
    answer = RedirectResponse(location, status_code=303)
    answer.headers["Cache-Control"] = "no-store"
    # The pages' routes document text/html for every answer; an empty one is still that type.
    answer.headers["Content-Type"] = "text/html; charset=utf-8"
    return answer


@dataclass(frozen=True)
class SignedIn:
    """A live session: `stage` is complete, or mfa / enrol while sign-in is half way."""

    token: str
    tenant_id: UUID
    session_id: UUID
    user_id: UUID
    email: str
    role: str
    tenant_name: str
    stage: str
    authenticated_at: datetime
    mfa_failures: int

    @property
    def complete(self) -> bool:
        return self.stage == "complete"

    def signed_in_within(self, seconds: float) -> bool:
        return (datetime.now(UTC) - self.authenticated_at).total_seconds() <= seconds


async def find_session(conn: psycopg.AsyncConnection, token: str | None) -> SignedIn | None:
    if not token or len(token) > 200:
        return None
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(sql("sessions_find"), {"token_hash": sessions.token_hash(token),
                                                 "idle": sessions.IDLE})
        row = await cur.fetchone()
    if row is None:
        return None
    row.pop("created_at"), row.pop("expires_at")
    return SignedIn(token=token, **row)


def after_stage(stage: str, next_path: str) -> str:
    """Where a session at `stage` goes next on its way to `next_path`."""
    if stage in ("mfa", "enrol"):
        return f"/login/{'mfa' if stage == 'mfa' else 'mfa/enrol'}?next=" + quote(next_path, safe="")
    return next_path


def stage_redirect(found: SignedIn | None, next_path: str) -> RedirectResponse | None:
    """Where a request for a page that needs a full sign-in goes instead, or None if it may go on."""
    if found is None:
        return redirect("/login?next=" + quote(next_path, safe=""))
    if not found.complete:
        return redirect(after_stage(found.stage, next_path))
    return None


async def start_session(conn: psycopg.AsyncConnection, tenant_id, user_id, stage: str) -> str:
    """A new session (and token) for the user at `stage`; the caller sets the cookie."""
    token = sessions.new_token()
    async with tenant_transaction(conn, tenant_id):
        await conn.execute(sql("sessions_insert"), {
            "tenant_id": tenant_id, "token_hash": sessions.token_hash(token), "user_id": user_id,
            "absolute": sessions.ABSOLUTE, "stage": stage})
    return token


async def end_session(conn: psycopg.AsyncConnection, found: SignedIn, rid: str, action: str | None) -> None:
    async with tenant_transaction(conn, found.tenant_id):
        await conn.execute(sql("sessions_end"), {"tenant_id": found.tenant_id,
                                                 "token_hash": sessions.token_hash(found.token)})
        if action:
            await events.record(conn, found.tenant_id, events.user_actor(found.user_id), action, rid)


def set_session_cookie(response: Response, cookies: Cookies, token: str) -> None:
    cookies.set(response, cookies.session, token, max_age=int(sessions.ABSOLUTE.total_seconds()))
    cookies.set(response, cookies.csrf, sessions.new_token())  # a new pre-session value: rotated too
