"""TOTP MFA for a user: set up, confirm, check a code at sign-in, recovery codes, remove.

Every function runs in the caller's tenant transaction (`conn` has app.tenant_id set), so RLS keeps
each tenant's factors to itself. Single use is the database's: a step or a recovery code is spent by
one UPDATE that only the first request can win, so two requests racing with one code get one success.
Checks of one user's codes are serialised on the factor's row, so parallel guesses cannot outrun the
daily limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

import psycopg
from psycopg.rows import dict_row

from earmark.errors import EarmarkError
from earmark.identity import events, totp
from earmark.settings import Settings
from earmark.sqlfiles import load

# Wrong codes in 24 hours that lock the factor (a pending sign-in ends after 5: see the sign-in pages).
DAILY_FAILURES = 20
PENDING_FAILURES = 5


class MfaError(EarmarkError, ValueError):
    """An MFA request that cannot be done; the message says what to do."""


class Outcome(Enum):
    OK = "ok"
    RECOVERY_OK = "recovery_ok"
    WRONG = "wrong"
    REPLAY = "replay"
    LOCKED = "locked"
    MALFORMED = "malformed"

    @property
    def accepted(self) -> bool:
        return self in (Outcome.OK, Outcome.RECOVERY_OK)


@dataclass(frozen=True)
class Enrolment:
    secret: str
    otpauth_uri: str


def _sql(name: str) -> str:
    return load("earmark.identity", name)


def _ids(tenant_id, user_id) -> dict:
    return {"tenant_id": str(tenant_id), "user_id": str(user_id)}


async def _one(conn: psycopg.AsyncConnection, name: str, params: dict) -> dict | None:
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(_sql(name), params)
        return await cur.fetchone()


async def status(conn: psycopg.AsyncConnection, tenant_id, user_id) -> dict | None:
    """The confirmed factor's state (confirmed_at, locked_at, recovery_codes_left), or None: no MFA."""
    return await _one(conn, "mfa_status", _ids(tenant_id, user_id))


async def start(conn: psycopg.AsyncConnection, tenant_id, user_id, email: str,
                settings: Settings | None = None) -> Enrolment:
    """A new secret for the user to add to an authenticator; MFA is on only once a code confirms it."""
    secret = totp.new_secret()
    params = _ids(tenant_id, user_id)
    await conn.execute(_sql("mfa_pending_drop"), params)
    await conn.execute(_sql("mfa_pending_replace"), {
        **params, "secret_sealed": totp.seal(secret, user_id, settings)})
    return Enrolment(secret, totp.provisioning_uri(secret, email))


async def pending(conn: psycopg.AsyncConnection, tenant_id, user_id, email: str,
                  settings: Settings | None = None) -> Enrolment | None:
    """The secret being set up (to show again after a mistyped first code), or None."""
    row = await _one(conn, "mfa_factor", {**_ids(tenant_id, user_id), "confirmed": False})
    if row is None:
        return None
    secret = totp.open_sealed(row["secret_sealed"], user_id, settings)
    return Enrolment(secret, totp.provisioning_uri(secret, email))


async def _new_recovery_codes(conn: psycopg.AsyncConnection, tenant_id, user_id,
                              settings: Settings | None) -> list[str]:
    codes = totp.new_recovery_codes()
    params = _ids(tenant_id, user_id)
    await conn.execute(_sql("mfa_recovery_replace"), params)
    await conn.execute(_sql("mfa_recovery_insert"), {
        **params, "code_hashes": [totp.recovery_hash(code, settings) for code in codes]})
    return codes


async def confirm(conn: psycopg.AsyncConnection, tenant_id, user_id, code: str, request_id: str,
                  at: datetime | None = None, settings: Settings | None = None) -> list[str]:
    """Turn MFA on with the first valid code of the pending secret; returns ten new recovery codes
    (the only time they are shown). A factor confirmed earlier is replaced."""
    if not totp.is_code_shaped(code):
        raise MfaError("A code is exactly 6 digits, as your authenticator app shows it.")
    pending = await _one(conn, "mfa_factor", {**_ids(tenant_id, user_id), "confirmed": False})
    if pending is None:
        raise MfaError("There is no MFA set-up to confirm; start one with POST /api/v1/me/mfa/totp.")
    secret = totp.open_sealed(pending["secret_sealed"], user_id, settings)
    step = totp.matching_step(secret, code, at)
    if step is None:
        raise MfaError("That code is not the current one for the new secret; check the app's clock and "
                       "type the code it shows now.")
    await conn.execute(_sql("mfa_drop_confirmed"), _ids(tenant_id, user_id))
    await conn.execute(_sql("mfa_confirm"), {"tenant_id": str(tenant_id), "id": pending["id"], "step": step})
    codes = await _new_recovery_codes(conn, tenant_id, user_id, settings)
    await events.record(conn, tenant_id, events.user_actor(user_id), "mfa_enabled", request_id)
    return codes


async def regenerate_recovery_codes(conn: psycopg.AsyncConnection, tenant_id, user_id, request_id: str,
                                    settings: Settings | None = None) -> list[str]:
    if await status(conn, tenant_id, user_id) is None:
        raise MfaError("MFA is not on for this account; set it up first (POST /api/v1/me/mfa/totp).")
    codes = await _new_recovery_codes(conn, tenant_id, user_id, settings)
    await events.record(conn, tenant_id, events.user_actor(user_id), "recovery_codes_regenerated", request_id)
    return codes


async def remove(conn: psycopg.AsyncConnection, tenant_id, user_id, request_id: str) -> bool:
    async with conn.cursor() as cur:
        await cur.execute(_sql("mfa_remove"), _ids(tenant_id, user_id))
        removed = bool(await cur.fetchall())
    if removed:
        await events.record(conn, tenant_id, events.user_actor(user_id), "mfa_disabled", request_id)
    return removed


async def _wrong(conn: psycopg.AsyncConnection, tenant_id, user_id, request_id: str, kind: str) -> Outcome:
    found = await _one(conn, "mfa_failure_add", _ids(tenant_id, user_id))
    failures = found["failures"]
    actor = events.user_actor(user_id)
    await events.record(conn, tenant_id, actor, "mfa_failed", request_id, kind=kind, failures_24h=failures)
    if failures >= DAILY_FAILURES:
        await conn.execute(_sql("mfa_lock"), _ids(tenant_id, user_id))
        await events.record(conn, tenant_id, actor, "mfa_locked", request_id, failures_24h=failures)
        return Outcome.LOCKED
    return Outcome.WRONG


async def check_code(conn: psycopg.AsyncConnection, tenant_id, user_id, code: str, request_id: str,
                     at: datetime | None = None, settings: Settings | None = None) -> Outcome:
    """A TOTP code at sign-in: accepted once per step, only if later than any step accepted before."""
    if not totp.is_code_shaped(code):
        return Outcome.MALFORMED
    factor = await _one(conn, "mfa_lock_user", _ids(tenant_id, user_id))
    if factor is None:
        return Outcome.WRONG
    if factor["locked_at"] is not None:
        return Outcome.LOCKED
    step = totp.matching_step(totp.open_sealed(factor["secret_sealed"], user_id, settings), code, at)
    if step is None:
        return await _wrong(conn, tenant_id, user_id, request_id, "totp")
    spent = await _one(conn, "mfa_spend_step", {"tenant_id": str(tenant_id), "id": factor["id"],
                                                "step": step})
    if spent is None:
        await events.record(conn, tenant_id, events.user_actor(user_id), "mfa_replay", request_id, step=step,
                            last_step=factor["last_timecode"])
        return Outcome.REPLAY
    return Outcome.OK


async def check_recovery_code(conn: psycopg.AsyncConnection, tenant_id, user_id, code: str, request_id: str,
                              settings: Settings | None = None) -> Outcome:
    """A recovery code instead of a TOTP code: each works once (also when the TOTP factor is locked)."""
    if not totp.is_recovery_shaped(code):
        return Outcome.MALFORMED
    await _one(conn, "mfa_lock_user", _ids(tenant_id, user_id))
    found = await _one(conn, "mfa_recovery_spend", {
        **_ids(tenant_id, user_id), "code_hash": totp.recovery_hash(code, settings)})
    if not found["spent"]:
        # Counted like a wrong TOTP code (it may lock that factor); the answer is still WRONG.
        await _wrong(conn, tenant_id, user_id, request_id, "recovery")
        return Outcome.WRONG
    await events.record(conn, tenant_id, events.user_actor(user_id), "recovery_code_used", request_id,
                        codes_left=found["left_after"])
    return Outcome.RECOVERY_OK
