"""The download reports (earmark.downloads.reports, `earmark downloads export`, GET /api/v1/downloads/*)
over a small hand-worked log for two tenants, loaded and counted in the test database.

Tenant A (download_window fixed), Monday 2027-03-01 (D1) and Tuesday 2027-03-02 (D2); every episode is
1,000,000 bytes of 600 s without an ID3 tag, so T = 100,000 bytes. Listeners: L1 (an IPv4 address, UA1),
L2 (three addresses of one IPv6 /64, UA1: one listener by R3), L3 (another IPv4 address, UA2).

    D1 10:00 r01 L1 e1 whole file     fixed: counted (r01)           rolling: counted (r01)
       10:05 r02 L1 e1 whole file     duplicate_in_window (r01)      duplicate_in_window (r01)
       11:00 r03 L2 e1 bytes 0-49999   counted (r04)                  counted (r04)
       11:01 r04 L2 e1 50000-149999    counted (r04): union 150,000   counted (r04)
       12:00 r05..r11: HEAD, a 404, an unknown URL, a bot, a data-centre address, an Apple Watch, a probe
       12:07 r12 L3 e2 via podtrac    counted (r12)                  counted (r12)
       23:30 r13 L1 e3 0-59999        below_threshold                counted (r14): pending into D2
    D2 00:10 r14 L1 e3 60000-119999   below_threshold (60,000 today) counted (r14), dated D2
       09:00 r15 L1 e1 whole file     counted (r15)                  duplicate_in_window (r01, < 24 h)
       11:00 r16 L1 e1 whole file     duplicate_in_window (r15)      counted (r16): r01's 24 h are over
       12:00 r17 L2 e2 whole file     counted (r17)                  counted (r17)
       13:00 r18 L2 e1 whole file     counted (r18)                  counted (r18)

Shows: s1 holds e1 and e2, s2 holds e3. Ads on e1: a1 dai bytes 0-999 (in every e1 download), a2 baked at
600,000-600,100 (its quarter, [500,000, 750,000), is only in the whole-file downloads); on e3: a3 dai 0-999.

Tenant B (download_window rolling) has the same ids: r01 (D1 23:30, e1 bytes 0-59999) and r02 (D2 00:10,
60000-119999) reach T only across midnight, r03 is a HEAD. Fixed counts nothing; rolling one download (r02).
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from logs import ad, episode, row, ts
from stored import add_catalog, write_log
from typer.testing import CliRunner

from earmark import db, tenancy
from earmark.downloads import counted, ingest, reports
from earmark.downloads.lists import store
from earmark.exports import ExportError

D1, D2 = date(2027, 3, 1), date(2027, 3, 2)
DAY1, DAY2 = D1.isoformat(), D2.isoformat()
UA1 = "AppleCoreMedia/1.0.0.21E236 (iPhone; U; CPU OS 17_4 like Mac OS X; en_us)"
UA2 = "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)"
BOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
WATCH = "atc/1.0 watchOS/10.4 model/Watch6,2 hwp/t8301 build/21T216 (6; dt:263)"
L1, L3 = "198.51.100.7", "198.51.100.9"
URL = {e: f"https://cdn.example.com/shows/{e.upper()}.mp3" for e in ("e1", "e2", "e3")}
PODTRAC_E2 = "https://dts.podtrac.com/redirect.mp3/cdn.example.com/shows/E2.mp3"
EPISODES = [episode("e1", url=URL["e1"]), episode("e2", url=URL["e2"]),
            episode("e3", url=URL["e3"], show="s2")]
ADS = [ad("a1", "dai", 0, 999), ad("a2", "baked", 600_000, 600_100), ad("a3", "dai", 0, 999, "e3")]


def part(request_id: str, when: str, first: int, last: int, **kwargs) -> dict:
    return row(request_id, when, range=f"bytes={first}-{last}", status=206, sent=last - first + 1, **kwargs)


def log_a(datacenter_ip: str) -> list[dict]:
    e1, e2, e3 = URL["e1"], URL["e2"], URL["e3"]
    return [
        row("r01", ts(DAY1, "10:00"), ip=L1, ua=UA1, url=e1),
        row("r02", ts(DAY1, "10:05"), ip=L1, ua=UA1, url=e1),
        part("r03", ts(DAY1, "11:00"), 0, 49_999, ip="2001:db8:5:6::7", ua=UA1, url=e1),
        part("r04", ts(DAY1, "11:01"), 50_000, 149_999, ip="2001:db8:5:6::8", ua=UA1, url=e1),
        row("r05", ts(DAY1, "12:00"), method="HEAD", ip=L3, ua=UA2, url=e2, sent=0),
        row("r06", ts(DAY1, "12:01"), ip=L3, ua=UA2, url=e2, status=404, sent=0),
        row("r07", ts(DAY1, "12:02"), ip=L3, ua=UA2, url="https://cdn.example.com/shows/missing.mp3"),
        row("r08", ts(DAY1, "12:03"), ip="192.0.2.50", ua=BOT, url=e1),
        row("r09", ts(DAY1, "12:04"), ip=datacenter_ip, ua=UA1, url=e1),
        row("r10", ts(DAY1, "12:05"), ip="192.0.2.60", ua=WATCH, url=e1),
        part("r11", ts(DAY1, "12:06"), 0, 1, ip=L3, ua=UA2, url=e2),
        row("r12", ts(DAY1, "12:07"), ip=L3, ua=UA2, url=PODTRAC_E2),
        part("r13", ts(DAY1, "23:30"), 0, 59_999, ip=L1, ua=UA1, url=e3),
        part("r14", ts(DAY2, "00:10"), 60_000, 119_999, ip=L1, ua=UA1, url=e3),
        row("r15", ts(DAY2, "09:00"), ip=L1, ua=UA1, url=e1),
        row("r16", ts(DAY2, "11:00"), ip=L1, ua=UA1, url=e1),
        row("r17", ts(DAY2, "12:00"), ip="2001:db8:5:6::9", ua=UA1, url=e2),
        row("r18", ts(DAY2, "13:00"), ip="2001:db8:5:6::9", ua=UA1, url=e1),
    ]


LOG_B = [
    part("r01", ts(DAY1, "23:30"), 0, 59_999, ip=L1, ua=UA1, url=URL["e1"]),
    part("r02", ts(DAY2, "00:10"), 60_000, 119_999, ip=L1, ua=UA1, url=URL["e1"]),
    row("r03", ts(DAY1, "10:00"), method="HEAD", ip=L1, ua=UA1, url=URL["e1"], sent=0),
]

EPISODES_A = {
    "fixed": [("e1", D1, 2, 2), ("e2", D1, 1, 1), ("e1", D2, 2, 2), ("e2", D2, 1, 1)],
    "rolling": [("e1", D1, 2, 2), ("e2", D1, 1, 1), ("e1", D2, 2, 2), ("e2", D2, 1, 1), ("e3", D2, 1, 1)],
}
# D2, s1: three downloads (fixed r15, r17, r18; rolling r16, r17, r18) by two listeners (L2 has e1 and e2).
SHOWS_A = {
    "fixed": [("s1", D1, 3, 3), ("s1", D2, 3, 2)],
    "rolling": [("s1", D1, 3, 3), ("s1", D2, 3, 2), ("s2", D2, 1, 1)],
}
ADS_A = {
    "fixed": [("a1", D1, 2), ("a2", D1, 1), ("a1", D2, 2), ("a2", D2, 2)],
    "rolling": [("a1", D1, 2), ("a2", D1, 1), ("a1", D2, 2), ("a2", D2, 2), ("a3", D2, 1)],
}
_FILTERED = [("r05", "not_get"), ("r06", "bad_status"), ("r07", "unknown_episode"), ("r08", "bot_ua"),
             ("r09", "datacenter_ip"), ("r10", "apple_watch"), ("r11", "probe_only")]
_D1_START = [("r01", "counted", None, "r01"), ("r02", "excluded", "duplicate_in_window", "r01"),
             ("r03", "counted", None, "r04"), ("r04", "counted", None, "r04"),
             *[(rid, "excluded", reason, None) for rid, reason in _FILTERED], ("r12", "counted", None, "r12")]
REQUESTS_A = {
    "fixed": [*_D1_START, ("r13", "excluded", "below_threshold", None),
              ("r14", "excluded", "below_threshold", None), ("r15", "counted", None, "r15"),
              ("r16", "excluded", "duplicate_in_window", "r15"), ("r17", "counted", None, "r17"),
              ("r18", "counted", None, "r18")],
    "rolling": [*_D1_START, ("r13", "counted", None, "r14"),
                ("r14", "counted", None, "r14"), ("r15", "excluded", "duplicate_in_window", "r01"),
                ("r16", "counted", None, "r16"), ("r17", "counted", None, "r17"),
                ("r18", "counted", None, "r18")],
}
# D1 holds 13 requests, D2 5; the counted ones (fixed 4 and 3, rolling 5 and 4) have no row.
_D1_FILTERED = [(D1, reason, 1, 1 / 13) for _, reason in _FILTERED]
EXCLUSIONS_A = {
    "fixed": [*_D1_FILTERED, (D1, "below_threshold", 1, 1 / 13), (D1, "duplicate_in_window", 1, 1 / 13),
              (D2, "below_threshold", 1, 1 / 5), (D2, "duplicate_in_window", 1, 1 / 5)],
    "rolling": [*_D1_FILTERED, (D1, "duplicate_in_window", 1, 1 / 13), (D2, "duplicate_in_window", 1, 1 / 5)],
}
COUNTED_A = {"fixed": {D1: 4, D2: 3}, "rolling": {D1: 5, D2: 4}}
DAY_REQUESTS_A = {D1: 13, D2: 5}

EXPECTED_B = {
    "fixed": {"episodes": [], "shows": [], "ads": [],
              "requests": [("r01", "excluded", "below_threshold", None), ("r03", "excluded", "not_get", None),
                           ("r02", "excluded", "below_threshold", None)],
              "exclusions": [(D1, "not_get", 1, 0.5), (D1, "below_threshold", 1, 0.5),
                             (D2, "below_threshold", 1, 1.0)]},
    "rolling": {"episodes": [("e1", D2, 1, 1)], "shows": [("s1", D2, 1, 1)], "ads": [("a1", D2, 1)],
                "requests": [("r01", "counted", None, "r02"), ("r03", "excluded", "not_get", None),
                             ("r02", "counted", None, "r02")],
                "exclusions": [(D1, "not_get", 1, 0.5)]},
}
EXPECTED_A = {mode: {"episodes": EPISODES_A[mode], "shows": SHOWS_A[mode], "ads": ADS_A[mode],
                     "requests": REQUESTS_A[mode], "exclusions": EXCLUSIONS_A[mode]}
              for mode in ("fixed", "rolling")}
API_REPORTS = ("episodes", "shows", "ads", "exclusions")


@dataclass(frozen=True)
class Counted:
    a: tenancy.Tenant
    b: tenancy.Tenant
    counted_after: datetime


def _set_window(tenant_id, mode: str) -> None:
    with db.connect("owner") as conn:
        conn.execute("update app.tenant_settings set download_window = %s where tenant_id = %s",
                     [mode, tenant_id])


@pytest.fixture(scope="module")
def two_tenants(database, tmp_path_factory) -> Counted:
    with db.connect("transformer") as conn:
        lists = store.active(conn)
    # The active lists may be an operator's: the data-centre address is taken from them, and the user agents
    # checked against them, so that the log means what the docstring says whichever lists are active.
    networks = (ipaddress.ip_network(net) for _, net in lists.cidrs.networks)
    network = next(n for n in networks if n.version == 4)
    inside = network[1] if network.num_addresses > 1 else network.network_address
    assert lists.bots.is_bot(BOT) and not any(lists.bots.is_bot(ua) for ua in (UA1, UA2, WATCH))
    assert not any(lists.cidrs.contains(ipaddress.ip_address(ip))
                   for ip in (L1, L3, "192.0.2.60", "2001:db8:5:6::7", "2001:db8:5:6::8", "2001:db8:5:6::9"))
    made = []
    with db.connect("owner") as conn:
        for label in ("a", "b"):
            made.append(tenancy.create_tenant(conn, f"download-reports-{label}-{datetime.now():%H%M%S%f}",
                                              "enterprise"))
    a, b = made
    add_catalog(a.id, EPISODES, ADS)
    add_catalog(b.id, [episode("e1", url=URL["e1"])], [ad("a1", "dai", 0, 999)])
    _set_window(b.id, "rolling")
    folder = tmp_path_factory.mktemp("download-reports")
    started = datetime.now(UTC)
    ingest.ingest_file(a.id, write_log(folder / "a.csv", log_a(str(inside))))
    ingest.ingest_file(b.id, write_log(folder / "b.csv", LOG_B))
    counted.count_days(D1, D2)
    return Counted(a, b, started)


def _report(tenant_id, what: str, **options) -> list[tuple]:
    with db.connect("api") as conn, db.tenant_transaction(conn, tenant_id):
        found = getattr(reports, what)(conn, **options)
    assert found == [] or list(found[0]) == reports.columns(what)
    return [tuple(r.values()) for r in found]


def _api(client, caller, what: str, **params) -> dict:
    answer = client.get(f"/api/v1/downloads/{what}", params=params, headers=caller.headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _wire(rows: list[tuple]) -> list[list]:
    """Expected rows as the API's JSON holds them: dates as ISO text."""
    return [[v.isoformat() if isinstance(v, date) else v for v in r] for r in rows]


@pytest.mark.parametrize("mode", ["fixed", "rolling"])
def test_every_report_holds_the_hand_worked_rows(two_tenants, mode):
    for tenant, expected in ((two_tenants.a, EXPECTED_A), (two_tenants.b, EXPECTED_B)):
        for what in reports.REPORTS:
            assert _report(tenant.id, what, mode=mode) == expected[mode][what], (tenant.name, what, mode)


@pytest.mark.parametrize("mode", ["fixed", "rolling"])
def test_the_api_answers_the_same_rows(two_tenants, client, make_key, mode):
    for tenant, expected in ((two_tenants.a, EXPECTED_A), (two_tenants.b, EXPECTED_B)):
        caller = make_key(tenant, ["attribution:read"])
        for what in API_REPORTS:
            body = _api(client, caller, what, mode=mode)
            assert datetime.fromisoformat(body.pop("counted_at")) >= two_tenants.counted_after
            rows = [list(r.values()) for r in body.pop("rows")]
            assert body == {"mode": mode, "start": None, "end": None}, what
            assert rows == _wire(expected[mode][what]), (tenant.name, what, mode)
            again = _api(client, caller, what, mode=mode)["rows"]
            assert all(list(r) == reports.columns(what) for r in again)


def test_the_mode_defaults_to_the_tenants_download_window(two_tenants, client, make_key):
    a, b = two_tenants.a, two_tenants.b
    assert _report(a.id, "episodes") == EPISODES_A["fixed"]  # the default setting
    assert _report(b.id, "episodes") == EXPECTED_B["rolling"]["episodes"]
    caller = make_key(b, ["attribution:read"])
    body = _api(client, caller, "shows")
    assert body["mode"] == "rolling" and body["rows"] == [{"show_id": "s1", "date": DAY2, "downloads": 1,
                                                           "listeners": 1}]
    _set_window(a.id, "rolling")
    try:
        for what in reports.REPORTS:
            assert _report(a.id, what) == EXPECTED_A["rolling"][what], what
        body = _api(client, make_key(a, ["attribution:read"]), "ads")
        assert body["mode"] == "rolling"
        assert body["rows"][-1] == {"ad_id": "a3", "date": DAY2, "impressions": 1}
        # A mode asked for wins over the setting.
        assert _report(a.id, "ads", mode="fixed") == ADS_A["fixed"]
    finally:
        _set_window(a.id, "fixed")


def test_exclusion_shares_and_counted_requests_make_up_each_day(two_tenants):
    for mode in ("fixed", "rolling"):
        rows = _report(two_tenants.a.id, "exclusions", mode=mode)
        for day, total in DAY_REQUESTS_A.items():
            of_day = [r for r in rows if r[0] == day]
            assert sum(r[2] for r in of_day) + COUNTED_A[mode][day] == total, (mode, day)
            assert sum(r[3] for r in of_day) + COUNTED_A[mode][day] / total == pytest.approx(1.0), (mode, day)
            # the counted ones are in the denominator, never a row of their own
            assert "counted" not in {r[1] for r in of_day}
        # requests report and exclusions agree on every reason's count
        outcomes = _report(two_tenants.a.id, "requests", mode=mode)
        assert sum(r[2] for r in rows) == sum(1 for r in outcomes if r[1] == "excluded")


def test_a_window_of_days_keeps_only_those_days(two_tenants, client, make_key):
    a = two_tenants.a
    assert _report(a.id, "shows", mode="rolling", start=D2) == SHOWS_A["rolling"][1:]
    assert _report(a.id, "exclusions", mode="fixed", end=D1) == EXCLUSIONS_A["fixed"][:9]
    assert _report(a.id, "requests", mode="fixed", start=D2, end=D2) == REQUESTS_A["fixed"][13:]
    assert _report(a.id, "episodes", start=D2, end=D1) == []  # an end before the start: an empty window
    body = _api(client, make_key(a, ["attribution:read"]), "episodes", start=DAY2, end=DAY2)
    assert (body["mode"], body["start"], body["end"]) == ("fixed", DAY2, DAY2)
    assert [list(r.values()) for r in body["rows"]] == _wire(EPISODES_A["fixed"][2:])
    empty = _api(client, make_key(a, ["attribution:read"]), "ads", start="2020-01-01", end="2020-01-31")
    assert empty["rows"] == [] and empty["counted_at"] is None


def test_tenant_b_never_sees_tenant_a(two_tenants, client, make_key):
    caller = make_key(two_tenants.b, ["attribution:read"])
    a_rows = {what: {tuple(r) for mode in ("fixed", "rolling") for r in _wire(EXPECTED_A[mode][what])}
              for what in API_REPORTS}
    for mode in ("fixed", "rolling"):
        for what in API_REPORTS:
            rows = {tuple(r.values()) for r in _api(client, caller, what, mode=mode)["rows"]}
            assert rows == {tuple(r) for r in _wire(EXPECTED_B[mode][what])}
            assert not rows & a_rows[what], (what, mode)
        with db.connect("api") as conn, db.tenant_transaction(conn, two_tenants.b.id):
            ids = {r["request_id"] for r in reports.requests(conn, mode=mode)}
        assert ids == {"r01", "r02", "r03"}  # A's r04..r18 are not B's, though A's r01..r03 share the ids
    # Without a tenant in the transaction, row-level security shows nothing at all.
    with db.connect("api") as conn, conn.transaction():
        assert reports.episodes(conn, mode="rolling") == [] and reports.requests(conn) == []


def test_the_reports_need_the_read_scope_and_a_known_mode(two_tenants, client, make_key):
    writer = make_key(two_tenants.a, ["catalog:write"])
    refused = client.get("/api/v1/downloads/episodes", headers=writer.headers)
    assert refused.status_code == 403 and refused.json()["type"].endswith("/insufficient-scope")
    caller = make_key(two_tenants.a, ["attribution:read"])
    for params in ({"mode": "sliding"}, {"start": "2027-3-1"}, {"window": "fixed"}):
        answer = client.get("/api/v1/downloads/exclusions", params=params, headers=caller.headers)
        assert answer.status_code == 422, params
    with (db.connect("api") as conn, db.tenant_transaction(conn, two_tenants.a.id),
          pytest.raises(ExportError, match="fixed or rolling")):
        reports.ads(conn, mode="sliding")
    with db.connect("api") as conn, pytest.raises(RuntimeError, match="tenant transaction"):
        reports.ads(conn)


def test_the_cli_exports_each_report(two_tenants):
    from earmark.cli import app

    runner = CliRunner()
    export = ["downloads", "export", "--tenant", str(two_tenants.a.id)]
    for what in reports.REPORTS:
        done = runner.invoke(app, [*export, "--what", what, "--mode", "rolling", "--format", "json"])
        assert done.exit_code == 0, done.output
        rows = [list(r.values()) for r in json.loads(done.stdout)]
        assert rows == _wire(EXPECTED_A["rolling"][what]), what
    done = runner.invoke(app, [*export, "--what", "requests", "--start", DAY2])
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert lines[0] == "request_id,outcome,reason,download_id"  # the tenant's default: fixed
    assert lines[1:] == ["r14,excluded,below_threshold,", "r15,counted,,r15",
                         "r16,excluded,duplicate_in_window,r15", "r17,counted,,r17", "r18,counted,,r18"]
    done = runner.invoke(app, [*export, "--what", "shows", "--start", DAY2, "--end", DAY1])
    assert isinstance(done.exception, ExportError) and "swap them" in str(done.exception)


def test_the_tenant_sets_its_download_window_through_the_api(client, make_tenant, make_key):
    tenant = make_tenant()
    writer = make_key(tenant, ["attribution:read", "settings:write"])
    assert client.get("/api/v1/settings", headers=writer.headers).json()["download_window"] == "fixed"
    changed = client.patch("/api/v1/settings", json={"download_window": "rolling"}, headers=writer.headers)
    assert changed.status_code == 200 and changed.json()["download_window"] == "rolling"
    with db.connect("owner") as conn:
        assert conn.execute("select download_window from app.tenant_settings where tenant_id = %s",
                            [tenant.id]).fetchone()[0] == "rolling"
    refused = client.patch("/api/v1/settings", json={"download_window": "weekly"}, headers=writer.headers)
    assert refused.status_code == 422 and "download_window" in refused.text
    assert client.get("/api/v1/settings", headers=writer.headers).json()["download_window"] == "rolling"
