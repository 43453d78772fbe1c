"""The API as a new user meets it: `earmark serve`, schemathesis in every phase, the server's own log.

Twice, as the hardening issue asks: on a fresh install (its own EARMARK_HOME and embedded Postgres, no
attribution run, so the marts do not even exist) and on the session's install with attribution data.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass

import httpx
import pytest
from live_server import earmark_json, schemathesis, serve

TENANT_SCOPES = "attribution:read,settings:write,keys:admin,catalog:write"
ALL_PHASES = ("✅ Examples", "✅ Coverage", "✅ Fuzzing", "✅ Stateful")


@pytest.fixture(scope="module")
def fresh_install(private_home):
    """A new user's first steps: migrate, a free tenant, a key. No `earmark run`."""
    with private_home("fresh") as (env, home):
        tenant = earmark_json(env, "tenants", "create", "--name", "First Listen", "--tier", "free")
        key = earmark_json(env, "keys", "create", "--tenant", tenant["id"], "--scopes", TENANT_SCOPES)
        platform = earmark_json(env, "keys", "create", "--platform")
        yield env, home, tenant["id"], key["key"], platform["key"]


@dataclass(frozen=True)
class Run:
    key: str
    max_examples: int = 40
    people_routes: bool = False  # the sign-in pages, /me and OAuth: fuzzed by one run, not by each
    only: str | None = None
    at_least: int = 1000  # generated cases: a real run, not a schema it could not read


def _assert_clean_run(server, *runs: Run) -> None:
    for run in runs:
        done = schemathesis(server, run.key, max_examples=run.max_examples, people_routes=run.people_routes,
                            only=run.only)
        report = done.stdout[-4000:] + done.stderr[-2000:]
        assert done.returncode == 0, report
        for phase in ALL_PHASES:
            assert phase in done.stdout, f"{phase} did not run:\n{report}"
        cases = re.search(r"Test cases:\s*\n\s*(\d+) generated, (\d+) passed(.*)", done.stdout)
        assert cases, report
        assert "failed" not in cases.group(3) and "error" not in cases.group(3), report
        assert int(cases.group(1)) >= run.at_least, report
    # An answer can be a clean 4xx and still have logged a traceback on the way: none may.
    assert server.tracebacks() == []


def test_schemathesis_finds_nothing_on_a_fresh_install(fresh_install, tmp_path):
    env, home, _, key, platform = fresh_install
    # The limiter still runs on every request; scaled up so the fuzzer reaches the routes' own logic.
    with serve({**env, "EARMARK_API_RATE_LIMIT_SCALE": "1000"}, tmp_path / "server.log") as server:
        # The platform key fuzzes the platform's own routes: on every tenant route it is one 403 whatever
        # the input (tests/api/test_api_tenants.py checks that answer).
        # 40 examples an operation in every phase (the coverage phase adds its systematic cases to them).
        _assert_clean_run(server, Run(key, max_examples=40, people_routes=True),
                          Run(platform, max_examples=100, only=r"^/api/v1/tenants", at_least=300))


def test_schemathesis_finds_nothing_on_a_tenant_with_data(make_tenant, make_key, tmp_path):
    from earmark import db
    from earmark.attribution import dbt_env, synthetic

    # A tenant of its own: the fuzzer PATCHes settings and mints and revokes keys.
    tenant = make_tenant("enterprise")
    with db.connect("transformer") as conn:
        synthetic.copy_events(conn, tenant.id, synthetic.generate_journeys(200, seed=303))
        conn.commit()
    built = dbt_env.run_dbt("build", "--exclude", "resource_type:test", "resource_type:unit_test")
    assert built.returncode == 0, built.stdout[-3000:]
    key = make_key(tenant, TENANT_SCOPES.split(",")).secret
    with serve({**os.environ, "EARMARK_API_RATE_LIMIT_SCALE": "1000"}, tmp_path / "server.log") as server:
        # The data is really there: a page of conversions with a cursor to the next.
        page = httpx.get(f"{server.url}/api/v1/attribution/conversions", params={"limit": 5},
                         headers={"Authorization": f"Bearer {key}"}).json()
        assert len(page["data"]) == 5 and page["next_cursor"] and page["computed_at"]
        # The tenant key only: a platform key's fuzzing would suspend and delete the session's other
        # tenants (the platform routes are fuzzed on the fresh install, whose tenants are its own).
        # 30 examples an operation: the fresh install's run already took 40 of each on the same code.
        _assert_clean_run(server, Run(key, max_examples=30))
    # Whatever settings the fuzzer left behind, the nightly build still computes every tenant.
    rebuilt = dbt_env.run_dbt("build", "--exclude", "resource_type:test", "resource_type:unit_test")
    assert rebuilt.returncode == 0, rebuilt.stdout[-3000:]


def test_a_new_tenant_sees_no_data_yet_and_its_free_key_is_cut_off_after_the_burst(fresh_install, tmp_path):
    """The issue's reproduction: 150 requests in a row from a free key before any attribution run."""
    env = fresh_install[0]
    # A tenant of its own: the platform-key fuzzing may have changed the fixture's tenant's tier.
    tenant = earmark_json(env, "tenants", "create", "--name", "Second Listen", "--tier", "free")
    key = earmark_json(env, "keys", "create", "--tenant", tenant["id"])["key"]
    headers = {"Authorization": f"Bearer {key}"}
    with serve(env, tmp_path / "server.log") as server, httpx.Client(base_url=server.url) as client:
        started = time.monotonic()
        answers = [client.get("/api/v1/attribution/channels", headers=headers) for _ in range(150)]
        elapsed = time.monotonic() - started
        ok = [a for a in answers if a.status_code == 200]
        limited = [a for a in answers if a.status_code == 429]
        assert len(ok) + len(limited) == 150, {a.status_code for a in answers}
        # No outage: "nothing computed yet", said as data.
        assert ok[0].json() == {"model": "linear", "start": None, "end": None, "computed_at": None,
                                "rows": []}
        # Free tier: 600/min with 10 s of burst is 100 at once, plus 10/s refilled while the loop ran.
        assert 100 <= len(ok) <= 100 + 10 * elapsed + 1
        first_refusal = next(i for i, a in enumerate(answers) if a.status_code == 429)
        assert first_refusal >= 100
        assert len(limited) >= 150 - 100 - 10 * elapsed - 1
        for answer in limited:
            assert answer.json()["type"].endswith("/rate-limited")
            assert int(answer.headers["retry-after"]) >= 1
        # The other attribution routes answer the same way, and a page has no cursor yet.
        wait = int(limited[-1].headers["retry-after"])
        time.sleep(wait + 0.2)
        page = client.get("/api/v1/attribution/paths", headers=headers)
        assert page.status_code == 200, page.text
        assert page.json() == {"model": "linear", "computed_at": None, "data": [], "has_more": False,
                               "next_cursor": None}
        assert client.get("/api/v1/attribution/conversions/order-1", headers=headers).status_code == 404
        assert server.tracebacks() == []
