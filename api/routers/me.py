"""The signed-in person's own account (issue 11, point 4): `GET /api/v1/me` and TOTP MFA.

These routes authenticate with the session cookie of /login (not an API key: a key is a machine, MFA
belongs to a person). A change also needs `X-CSRF-Token` (the `csrf_token` GET /api/v1/me returns), so
another site cannot make the browser change MFA. Changing or removing MFA that is on needs a sign-in
within the last 5 minutes, and so does adding a first factor.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.openapi.models import APIKey, APIKeyIn
from fastapi.security.base import SecurityBase
from pydantic import BaseModel, ConfigDict, Field

from api import pages
from api.database import tenant_transaction
from api.deps import services_of
from api.pages import SignedIn
from api.problems import ERROR_RESPONSES, Problem, forbidden, not_found, unauthorized
from earmark.identity import mfa, sessions

RECENT_SECONDS = 5 * 60

router = APIRouter(prefix="/me", tags=["me"], responses={k: ERROR_RESPONSES[k] for k in (401, 403, 422)})


class SessionCookie(SecurityBase):
    """The `/login` session cookie, complete (past MFA); unsafe methods also need X-CSRF-Token."""

    def __init__(self) -> None:
        self.model = APIKey(**{"in": APIKeyIn.cookie}, name="__Host-earmark_session",
                            description="The session cookie /login sets (earmark_session on a loopback "
                                        "address in development); changes also send X-CSRF-Token.")
        self.scheme_name = "SessionCookie"

    async def __call__(self, request: Request) -> SignedIn:
        services = services_of(request)
        cookies = pages.Cookies(request, services.settings.env)
        async with services.pool.connection() as conn:
            found = await pages.find_session(conn, request.cookies.get(cookies.session))
        if found is None or not found.complete:
            raise unauthorized("Sign in at /login first (with MFA, if it is on); this route uses the session "
                               "cookie, not an API key.")
        if request.method not in ("GET", "HEAD") and not sessions.csrf_ok(
                found.token, request.headers.get("x-csrf-token")):
            raise forbidden("Send the X-CSRF-Token header with the csrf_token GET /api/v1/me returns.",
                            slug="csrf-token-required")
        return found


Me = Annotated[SignedIn, Depends(SessionCookie())]


def _require_recent(found: SignedIn) -> None:
    if not found.signed_in_within(RECENT_SECONDS):
        raise Problem(403, "recent-signin-required", "Changing MFA needs a sign-in within the last 5 "
                      "minutes; sign out, sign in again and retry.")


class MfaState(BaseModel):
    enabled: bool
    confirmed_at: datetime | None = None
    locked: bool = False
    recovery_codes_left: int = 0


class Account(BaseModel):
    user_id: str
    email: str
    role: str
    tenant_id: str
    tenant_name: str
    mfa: MfaState
    csrf_token: str = Field(description="Send it back as X-CSRF-Token on POST and DELETE.")


class TotpSecret(BaseModel):
    secret: str = Field(description="Base32; shown once. Add it to an authenticator app.")
    otpauth_uri: str


class CodeBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"code": "123456"}]})
    code: str = Field(pattern=r"^[0-9]{6}$", description="Exactly 6 digits, as the app shows them.")


class RecoveryCodes(BaseModel):
    recovery_codes: list[str] = Field(description="Ten single-use codes, shown only now.")


async def _state(request: Request, found: SignedIn) -> MfaState:
    async with services_of(request).pool.connection() as conn, tenant_transaction(conn, found.tenant_id):
        row = await mfa.status(conn, found.tenant_id, found.user_id)
    if row is None:
        return MfaState(enabled=False)
    return MfaState(enabled=True, confirmed_at=row["confirmed_at"], locked=row["locked_at"] is not None,
                    recovery_codes_left=row["recovery_codes_left"])


@router.get("", response_model=Account)
async def me(request: Request, found: Me) -> Account:
    """Who is signed in, and the state of their MFA."""
    return Account(user_id=str(found.user_id), email=found.email, role=found.role,
                   tenant_id=str(found.tenant_id), tenant_name=found.tenant_name,
                   mfa=await _state(request, found),
                   csrf_token=sessions.csrf_token(found.token))


@router.post("/mfa/totp", response_model=TotpSecret, status_code=201)
async def start_totp(request: Request, found: Me) -> TotpSecret:
    """A new TOTP secret and its otpauth:// URI, shown once; MFA is on only after /confirm. Needs a sign-in
    within 5 minutes, also the first time (a stolen session must not enrol its own authenticator)."""
    _require_recent(found)
    services = services_of(request)
    async with services.pool.connection() as conn, tenant_transaction(conn, found.tenant_id):
        enrolment = await mfa.start(conn, found.tenant_id, found.user_id, found.email, services.settings)
    return TotpSecret(secret=enrolment.secret, otpauth_uri=enrolment.otpauth_uri)


@router.post("/mfa/totp/confirm", response_model=RecoveryCodes, responses={400: ERROR_RESPONSES[400]})
async def confirm_totp(request: Request, found: Me, body: CodeBody) -> RecoveryCodes:
    """Turn MFA on with the first valid code; returns ten recovery codes (a new set replaces the old)."""
    if (await _state(request, found)).enabled:
        _require_recent(found)
    services = services_of(request)
    try:
        async with services.pool.connection() as conn, tenant_transaction(conn, found.tenant_id):
            codes = await mfa.confirm(conn, found.tenant_id, found.user_id, body.code, pages.request_id(),
                                      settings=services.settings)
    except mfa.MfaError as error:
        raise Problem(400, "mfa-code-refused", str(error)) from None
    return RecoveryCodes(recovery_codes=codes)


@router.post("/mfa/recovery-codes", response_model=RecoveryCodes, responses={404: ERROR_RESPONSES[404]})
async def regenerate_recovery_codes(request: Request, found: Me) -> RecoveryCodes:
    """Ten new recovery codes; the old set stops working."""
    _require_recent(found)
    services = services_of(request)
    try:
        async with services.pool.connection() as conn, tenant_transaction(conn, found.tenant_id):
            codes = await mfa.regenerate_recovery_codes(conn, found.tenant_id, found.user_id,
                                                        pages.request_id(), services.settings)
    except mfa.MfaError as error:
        raise not_found(str(error)) from None
    return RecoveryCodes(recovery_codes=codes)


@router.delete("/mfa/totp", status_code=204, responses={404: ERROR_RESPONSES[404]})
async def remove_totp(request: Request, found: Me) -> Response:
    """Turn MFA off (the factor and the recovery codes go). A tenant that requires MFA asks for a new
    factor at the next sign-in."""
    _require_recent(found)
    async with services_of(request).pool.connection() as conn, tenant_transaction(conn, found.tenant_id):
        removed = await mfa.remove(conn, found.tenant_id, found.user_id, pages.request_id())
    if not removed:
        raise not_found("MFA is not on for this account.")
    return Response(status_code=204)
