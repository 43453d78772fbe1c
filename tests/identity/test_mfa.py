"""TOTP MFA: steps with a frozen clock, replay, malformed input, sealed secrets, the sign-in step, lockouts,
recovery codes, recent sign-in for changes, and a tenant that requires MFA."""

from __future__ import annotations

import asyncio
import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pyotp
import pytest
from oauth_flow import csrf, sign_in

from earmark import db
from earmark.identity import mfa, totp, users
from earmark.identity.mfa import Outcome
from earmark.settings import Settings

PASSWORD = "a long and private passphrase"
# A frozen clock: the middle of a 30 s step, so the steps either side are exactly one step away.
NOW = datetime(2026, 12, 2, 12, 0, 15, tzinfo=UTC)
STEP = timedelta(seconds=30)


@pytest.fixture
def person(make_tenant):
    tenant = make_tenant()
    with db.connect("owner") as conn:
        user = users.create_user(
            conn, tenant.id, f"mo-{uuid.uuid4().hex[:8]}@example.com", "viewer", PASSWORD
        )
    return tenant, user


def _run(tenant_id, work):
    """Run `work(conn)` in the tenant's transaction on the API role, as the routes do."""

    async def go():
        async with await psycopg.AsyncConnection.connect(db.url("api"), autocommit=True) as conn:
            from api.database import tenant_transaction

            async with tenant_transaction(conn, tenant_id):
                return await work(conn)

    return asyncio.run(go())


def _enrolled(tenant, user, at=NOW) -> tuple[str, list[str]]:
    enrolment = _run(tenant.id, lambda conn: mfa.start(conn, tenant.id, user.id, user.email))
    codes = _run(
        tenant.id,
        lambda conn: mfa.confirm(conn, tenant.id, user.id, totp.code_at(enrolment.secret, at), "r1", at=at),
    )
    return enrolment.secret, codes


def _check(tenant, user, code, at):
    return _run(tenant.id, lambda conn: mfa.check_code(conn, tenant.id, user.id, code, "r", at=at))


def _events(tenant_id, action=None):
    with db.connect("owner") as conn:
        return [
            row[0]
            for row in conn.execute(
                "select action from app.security_events where tenant_id = %s "
                "and (%s::text is null or action = %s) "
                "order by id",
                [tenant_id, action, action],
            )
        ]


def test_steps_either_side_are_accepted_once_and_older_or_newer_ones_refused(person):
    tenant, user = person
    secret, codes = _enrolled(tenant, user, at=NOW - 10 * STEP)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-7]{5}-[a-z2-7]{5}", code) for code in codes)
    # Two steps away is refused, in both directions.
    assert _check(tenant, user, totp.code_at(secret, NOW - 2 * STEP), NOW) is Outcome.WRONG
    assert _check(tenant, user, totp.code_at(secret, NOW + 2 * STEP), NOW) is Outcome.WRONG
    # The previous step is accepted; then the previous again is a replay.
    assert _check(tenant, user, totp.code_at(secret, NOW - STEP), NOW) is Outcome.OK
    assert _check(tenant, user, totp.code_at(secret, NOW - STEP), NOW) is Outcome.REPLAY
    assert _check(tenant, user, totp.code_at(secret, NOW + STEP), NOW) is Outcome.OK
    # Once the next step was used, the current one (an earlier step) is refused too.
    assert _check(tenant, user, totp.code_at(secret, NOW), NOW) is Outcome.REPLAY
    assert _events(tenant.id, "mfa_replay") == ["mfa_replay", "mfa_replay"]
    assert _events(tenant.id, "mfa_failed") == ["mfa_failed", "mfa_failed"]


def test_input_that_is_not_six_digits_is_refused_before_any_hmac(person, monkeypatch):
    tenant, user = person
    _enrolled(tenant, user)
    computed = []
    monkeypatch.setattr(pyotp.TOTP, "verify_and_get_timecode", lambda self, *a, **k: computed.append(1))
    for code in ("12345", "1234567", "12345a", " 123456", "１２３４５６", "", "123456\n"):
        assert _check(tenant, user, code, NOW) is Outcome.MALFORMED, code
    assert computed == []
    assert _events(tenant.id, "mfa_failed") == []


def test_a_sealed_secret_opens_only_for_its_user_and_key():
    user_id, other = uuid.uuid4(), uuid.uuid4()
    sealed = totp.seal("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", user_id)
    assert totp.open_sealed(sealed, user_id) == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    assert b"JBSWY3DP" not in sealed
    with pytest.raises(totp.SealError, match="does not open for this user"):
        totp.open_sealed(sealed, other)
    with pytest.raises(totp.SealError):
        totp.open_sealed(sealed, user_id, Settings(env="test", secret_key="another" * 8, mfa_key="k" * 40))


def test_twenty_wrong_codes_in_a_day_lock_the_factor_but_recovery_codes_still_work(person):
    tenant, user = person
    secret, codes = _enrolled(tenant, user, at=NOW - 10 * STEP)
    outcomes = [
        _check(tenant, user, "000000" if totp.code_at(secret, NOW) != "000000" else "111111", NOW)
        for _ in range(mfa.DAILY_FAILURES)
    ]
    assert outcomes[:-1] == [Outcome.WRONG] * (mfa.DAILY_FAILURES - 1) and outcomes[-1] is Outcome.LOCKED
    assert _check(tenant, user, totp.code_at(secret, NOW), NOW) is Outcome.LOCKED  # even the right code
    assert _events(tenant.id, "mfa_locked") == ["mfa_locked"]
    spend = lambda conn: mfa.check_recovery_code(conn, tenant.id, user.id, codes[0].upper(), "r")  # noqa: E731
    assert _run(tenant.id, spend) is Outcome.RECOVERY_OK
    assert _run(tenant.id, spend) is Outcome.WRONG  # single use
    assert _events(tenant.id, "recovery_code_used") == ["recovery_code_used"]


def _api_enrol(browser) -> tuple[str, list[str]]:
    me = browser.get("/api/v1/me").json()
    headers = {"X-CSRF-Token": me["csrf_token"]}
    started = browser.post("/api/v1/me/mfa/totp", headers=headers)
    assert started.status_code == 201, started.text
    secret = started.json()["secret"]
    assert (
        started.json()["otpauth_uri"].startswith("otpauth://totp/Earmark:")
        and f"secret={secret}" in started.json()["otpauth_uri"]
    )
    confirmed = browser.post(
        "/api/v1/me/mfa/totp/confirm", json={"code": pyotp.TOTP(secret).now()}, headers=headers
    )
    assert confirmed.status_code == 200, confirmed.text
    return secret, confirmed.json()["recovery_codes"]


def _mfa_form(browser):
    return browser.get("/login/mfa")


def _stored_secret(tenant_id) -> bytes:
    with db.connect("owner") as conn:
        return bytes(
            conn.execute(
                "select secret_sealed from app.mfa_totp where tenant_id = %s and confirmed_at is not null",
                [tenant_id],
            ).fetchone()[0]
        )


def test_enrol_through_the_api_then_sign_in_with_a_code_rotates_the_session(browser, person):
    tenant, user = person
    assert sign_in(browser, user.email, PASSWORD).headers["location"] == "/account"
    refused = browser.post("/api/v1/me/mfa/totp")
    assert refused.status_code == 403 and refused.json()["type"].endswith("csrf-token-required")
    secret, codes = _api_enrol(browser)
    assert len(codes) == 10 and secret.encode() not in _stored_secret(tenant.id)
    assert browser.get("/api/v1/me").json()["mfa"] == {
        "enabled": True,
        "confirmed_at": browser.get("/api/v1/me").json()["mfa"]["confirmed_at"],
        "locked": False,
        "recovery_codes_left": 10,
    }

    browser.cookies.clear()
    signed = sign_in(browser, user.email, PASSWORD)
    assert signed.status_code == 303 and signed.headers["location"] == "/login/mfa?next=%2Faccount"
    pending = browser.cookies.get("__Host-earmark_session")
    # Half way, nothing that needs a full sign-in opens.
    assert browser.get("/account").headers["location"] == "/login/mfa?next=%2Faccount"
    assert browser.get("/api/v1/me").status_code == 401
    form = _mfa_form(browser)
    assert form.status_code == 200 and 'name="code"' in form.text and 'name="recovery_code"' in form.text
    code = pyotp.TOTP(secret).at(datetime.now(UTC) + STEP)  # the next step: still within the window
    done = browser.post("/login/mfa", data={"code": code, "csrf_token": csrf(form), "next": "/account"})
    assert done.status_code == 303 and done.headers["location"] == "/account"
    rotated = browser.cookies.get("__Host-earmark_session")
    assert rotated != pending
    assert browser.get("/account").status_code == 200
    with db.connect("owner") as conn:
        stages = conn.execute(
            "select stage, ended_at is null from app.user_sessions where tenant_id = %s order by created_at",
            [tenant.id],
        ).fetchall()
    assert stages[-2:] == [("mfa", False), ("complete", True)]

    # The same code again, in a new sign-in: a replay, logged.
    browser.cookies.clear()
    sign_in(browser, user.email, PASSWORD)
    replay = browser.post("/login/mfa", data={"code": code, "csrf_token": csrf(_mfa_form(browser))})
    assert replay.status_code == 401 and "already used" in replay.text
    assert "mfa_replay" in _events(tenant.id)
    # A recovery code signs in once.
    recovered = browser.post(
        "/login/mfa", data={"recovery_code": codes[3], "csrf_token": csrf(_mfa_form(browser))}
    )
    assert recovered.status_code == 303
    assert browser.get("/api/v1/me").json()["mfa"]["recovery_codes_left"] == 9


def test_five_wrong_codes_end_the_pending_sign_in(browser, person):
    tenant, user = person
    sign_in(browser, user.email, PASSWORD)
    secret, _ = _api_enrol(browser)
    browser.cookies.clear()
    sign_in(browser, user.email, PASSWORD)
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    answers = [
        browser.post("/login/mfa", data={"code": wrong, "csrf_token": csrf(_mfa_form(browser))})
        for _ in range(4)
    ]
    assert [a.status_code for a in answers] == [401] * 4
    malformed = browser.post("/login/mfa", data={"code": "12 34", "csrf_token": csrf(_mfa_form(browser))})
    assert malformed.status_code == 401 and "Too many wrong codes" in malformed.text
    assert browser.get("/login/mfa").headers["location"].startswith("/login?next=")
    assert "mfa_pending_ended" in _events(tenant.id)
    with db.connect("owner") as conn:
        assert conn.execute(
            "select count(*) filter (where ended_at is null), count(*) from app.user_sessions "
            "where tenant_id = %s and stage = 'mfa'",
            [tenant.id],
        ).fetchone() == (0, 1)


def test_changing_or_removing_mfa_needs_a_recent_sign_in(browser, person):
    tenant, user = person
    sign_in(browser, user.email, PASSWORD)
    _, first_codes = _api_enrol(browser)
    headers = {"X-CSRF-Token": browser.get("/api/v1/me").json()["csrf_token"]}
    with db.connect("owner") as conn:
        conn.execute(
            "update app.user_sessions set authenticated_at = now() - interval '6 minutes' "
            "where tenant_id = %s",
            [tenant.id],
        )
    for answer in (
        browser.delete("/api/v1/me/mfa/totp", headers=headers),
        browser.post("/api/v1/me/mfa/totp", headers=headers),
        browser.post("/api/v1/me/mfa/recovery-codes", headers=headers),
    ):
        assert answer.status_code == 403 and answer.json()["type"].endswith("recent-signin-required")
    with db.connect("owner") as conn:
        conn.execute(
            "update app.user_sessions set authenticated_at = now() where tenant_id = %s", [tenant.id]
        )
    old = browser.get("/api/v1/me").json()["mfa"]
    regenerated = browser.post("/api/v1/me/mfa/recovery-codes", headers=headers)
    assert regenerated.status_code == 200 and len(regenerated.json()["recovery_codes"]) == 10
    assert old["recovery_codes_left"] == 10
    # The old set stops working; the new one works.
    def spend(code):
        return _run(tenant.id, lambda conn: mfa.check_recovery_code(conn, tenant.id, user.id, code, "r"))

    assert spend(first_codes[0]) is Outcome.WRONG
    assert spend(regenerated.json()["recovery_codes"][0]) is Outcome.RECOVERY_OK
    assert browser.delete("/api/v1/me/mfa/totp", headers=headers).status_code == 204
    assert browser.get("/api/v1/me").json()["mfa"] == {
        "enabled": False,
        "confirmed_at": None,
        "locked": False,
        "recovery_codes_left": 0,
    }
    assert {"mfa_enabled", "recovery_codes_regenerated", "mfa_disabled"} <= set(_events(tenant.id))


def test_confirm_refuses_a_code_that_is_not_six_digits_or_not_current(browser, person):
    _, user = person
    sign_in(browser, user.email, PASSWORD)
    headers = {"X-CSRF-Token": browser.get("/api/v1/me").json()["csrf_token"]}
    secret = browser.post("/api/v1/me/mfa/totp", headers=headers).json()["secret"]
    assert (
        browser.post("/api/v1/me/mfa/totp/confirm", json={"code": "12345"}, headers=headers).status_code
        == 422
    )
    stale = pyotp.TOTP(secret).at(datetime.now(UTC) - 5 * STEP)
    refused = browser.post("/api/v1/me/mfa/totp/confirm", json={"code": stale}, headers=headers)
    assert refused.status_code == 400 and "not the current one" in refused.json()["detail"]
    assert browser.get("/api/v1/me").json()["mfa"]["enabled"] is False


def test_a_tenant_that_requires_mfa_makes_its_users_enrol_at_sign_in(browser, person, make_key):
    tenant, user = person
    admin = make_key(tenant, ["settings:write", "attribution:read"])
    changed = browser.patch("/api/v1/settings", json={"require_mfa": True}, headers=admin.headers)
    assert changed.status_code == 200 and changed.json()["require_mfa"] is True
    signed = sign_in(browser, user.email, PASSWORD)
    assert signed.headers["location"] == "/login/mfa/enrol?next=%2Faccount"
    assert browser.get("/account").headers["location"] == "/login/mfa/enrol?next=%2Faccount"
    page = browser.get("/login/mfa/enrol")
    assert page.status_code == 200 and "otpauth://totp/" in page.text
    secret = re.search(r'id="secret" readonly value="([A-Z2-7]+)"', page.text).group(1)
    wrong = browser.post("/login/mfa/enrol", data={"code": "12345", "csrf_token": csrf(page)})
    assert wrong.status_code == 401 and secret in wrong.text  # the same secret, shown again
    done = browser.post("/login/mfa/enrol", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf(page)})
    assert (
        done.status_code == 200 and len(re.findall(r"<code>[a-z2-7]{5}-[a-z2-7]{5}</code>", done.text)) == 10
    )
    assert browser.get("/account").status_code == 200
    # The next sign-in asks for a code, not an enrolment.
    browser.cookies.clear()
    assert sign_in(browser, user.email, PASSWORD).headers["location"] == "/login/mfa?next=%2Faccount"


def test_parallel_guesses_on_one_pending_sign_in_get_five_tries_at_most(browser, person, live_api):
    tenant, user = person
    sign_in(browser, user.email, PASSWORD)
    secret, _ = _api_enrol(browser)
    browser.cookies.clear()
    sign_in(browser, user.email, PASSWORD)
    token = browser.cookies.get("__Host-earmark_session")
    form = csrf(_mfa_form(browser))
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    start = threading.Barrier(12)

    def guess(_):
        # The live server speaks http on a loopback address in the test environment: the cookie is sent
        # as a plain header.
        with httpx.Client(base_url=live_api, headers={"Cookie": f"__Host-earmark_session={token}"}) as http:
            start.wait()
            return http.post("/login/mfa", data={"code": wrong, "csrf_token": form}).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(guess, range(12)))
    assert statuses.count(401) == 12
    assert len(_events(tenant.id, "mfa_failed")) <= mfa.PENDING_FAILURES
    with db.connect("owner") as conn:
        assert conn.execute(
            "select mfa_failures, ended_at is not null from app.user_sessions "
            "where tenant_id = %s and stage = 'mfa'",
            [tenant.id],
        ).fetchone() == (5, True)
