"""R0 and R6 by hand: fixed (UTC day) and rolling (24 h from the qualifying request) windows, the log's order,
and a property test against a small reference counter written straight from IAB_COUNTING.md."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from logs import UA, ad, canonical, count, episode, row, ts

MON, TUE, WED = "2026-11-02", "2026-11-03", "2026-11-04"  # 2026-11-02 is a Monday
BASE_MS = 1_793_577_600_000  # 2026-11-02T00:00:00Z
HALF_A = {"status": 206, "range": "bytes=0-49999", "sent": 50_000}  # half of T = 100,000
HALF_B = {"status": 206, "range": "bytes=50000-99999", "sent": 50_000}  # the other half: together exactly T


def test_iab_worked_example():
    # Full files at Mon 22:00, Tue 03:00, Tue 22:15, Wed 23:15 from one listener.
    # fixed: Mon r1 qualifies; Tue r2 qualifies, r3 is its duplicate; Wed r4 qualifies -> 1/1/0/1
    # rolling: r1 opens at Mon 22:00; r2 (5 h later) is inside; r3 (24 h 15 min after r1) opens a new one;
    #          r4 (25 h after r3) opens a third -> 1/0/1/1
    rows = [row("r1", ts(MON, "22:00")), row("r2", ts(TUE, "03:00")), row("r3", ts(TUE, "22:15")),
            row("r4", ts(WED, "23:15"))]
    result = count(rows)
    assert result.of("fixed") == {"r1": ("counted", "r1"), "r2": ("counted", "r2"),
                                  "r3": ("duplicate_in_window", "r2"), "r4": ("counted", "r4")}
    assert result.of("rolling") == {"r1": ("counted", "r1"), "r2": ("duplicate_in_window", "r1"),
                                    "r3": ("counted", "r3"), "r4": ("counted", "r4")}
    assert {d: v["day"] for d, v in result.downloads("fixed").items()} == {"r1": MON, "r2": TUE, "r4": WED}
    assert {d: v["day"] for d, v in result.downloads("rolling").items()} == {"r1": MON, "r3": TUE, "r4": WED}
    days = dict(zip(result.counted.outcomes["request_id"], result.counted.outcomes["rolling_download_day"],
                    strict=True))
    assert days["r2"].isoformat() == MON  # r2 happened on Tuesday but belongs to Monday's download


def test_rolling_24_hours_exactly_opens_a_new_download_and_one_ms_less_does_not():
    # t_q = Mon 10:00:00.000; t < t_q + 86,400,000 ms is inside the window.
    rows = [row("q", ts(MON, "10:00:00.000")),
            row("inside", ts(TUE, "09:59:59.999")),  # t_q + 24 h - 1 ms: duplicate
            row("edge", ts(TUE, "10:00:00.000")),  # t_q + 24 h: a new download (first touch: 'inside'
            row("after", ts(TUE, "10:00:00.001"))]  # did not move the window); 'after' is edge's duplicate
    result = count(rows)
    assert result.of("rolling") == {"q": ("counted", "q"), "inside": ("duplicate_in_window", "q"),
                                    "edge": ("counted", "edge"), "after": ("duplicate_in_window", "edge")}
    assert result.of("fixed") == {"q": ("counted", "q"), "inside": ("counted", "inside"),
                                  "edge": ("duplicate_in_window", "inside"),
                                  "after": ("duplicate_in_window", "inside")}


def test_rolling_pending_bytes_expire_after_24_hours():
    # Two halves (exactly T together). A: 24 h - 1 ms apart -> still pending, the second qualifies.
    # B: exactly 24 h apart -> t_p <= t - 24 h: the first is dropped (below_threshold), the second alone is
    # half.
    rows = [row("a1", ts(MON, "12:00:00.000"), ua="A", **HALF_A),
            row("a2", ts(TUE, "11:59:59.999"), ua="A", **HALF_B),
            row("b1", ts(MON, "12:00:00.000"), ua="B", **HALF_A),
            row("b2", ts(TUE, "12:00:00.000"), ua="B", **HALF_B)]
    result = count(rows)
    assert result.of("rolling") == {"a1": ("counted", "a2"), "a2": ("counted", "a2"),
                                    "b1": ("below_threshold", None), "b2": ("below_threshold", None)}
    assert result.downloads("rolling")["a2"]["day"] == TUE
    # fixed: every half is alone on its day
    assert set(result.reasons("fixed").values()) == {"below_threshold"}


def test_threshold_reached_across_midnight():
    # Mon 23:30 the first half, Tue 00:30 the second half.
    rows = [row("late", ts(MON, "23:30"), **HALF_A), row("early", ts(TUE, "00:30"), **HALF_B)]
    result = count(rows)
    # fixed: 50,000 bytes on each day, each < T: below_threshold twice, no download
    assert result.of("fixed") == {"late": ("below_threshold", None), "early": ("below_threshold", None)}
    assert result.downloads("fixed") == {}
    # rolling: one download, qualified by 'early', dated Tuesday; 'late' (a Monday request) is counted in it
    assert result.of("rolling") == {"late": ("counted", "early"), "early": ("counted", "early")}
    found = result.downloads("rolling")["early"]
    assert (found["day"], found["requests"], found["bytes"]) == (TUE, 2, 100_000)
    frame = result.counted.outcomes.sort("request_id")
    assert [d.isoformat() for d in frame["day"]] == [TUE, MON]  # early, late: each request keeps its own date
    assert [d.isoformat() for d in frame["rolling_download_day"]] == [TUE, TUE]


def test_fixed_window_counts_the_qualifying_request_and_the_earlier_ones():
    # [0, 40000) + [40000, 80000) = 80,000 < T; + [80000, 120000) = 120,000 >= T at r3; r4 later that day
    rows = [row("r1", ts(MON, "08:00"), status=206, range="bytes=0-39999", sent=40_000),
            row("r2", ts(MON, "09:00"), status=206, range="bytes=40000-79999", sent=40_000),
            row("r3", ts(MON, "10:00"), status=206, range="bytes=80000-119999", sent=40_000),
            row("r4", ts(MON, "11:00"))]
    result = count(rows)
    expected = {"r1": ("counted", "r3"), "r2": ("counted", "r3"), "r3": ("counted", "r3"),
                "r4": ("duplicate_in_window", "r3")}
    assert result.of("fixed") == expected and result.of("rolling") == expected
    found = result.downloads("fixed")
    assert {k: (v["requests"], v["bytes"]) for k, v in found.items()} == {"r3": (4, 1_000_000)}


def test_rolling_never_reuses_the_bytes_of_a_download():
    # d1 qualifies alone; after its 24 h, 'again' fetches the first half: the bytes d1 used do not count again
    rows = [row("d1", ts(MON, "10:00"), status=206, range="bytes=0-99999", sent=100_000),
            row("again", ts(TUE, "10:00"), **HALF_A)]
    assert count(rows).of("rolling") == {"d1": ("counted", "d1"), "again": ("below_threshold", None)}


def test_ties_in_time_are_broken_by_request_id():
    # the same millisecond, listed b first: 'a' sorts first, qualifies; 'b' is its duplicate
    result = count([row("b", ts(MON, "10:00")), row("a", ts(MON, "10:00"))])
    for mode in ("fixed", "rolling"):
        assert result.of(mode) == {"a": ("counted", "a"), "b": ("duplicate_in_window", "a")}


def iso(ms: int) -> str:
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def block_log(seed: int, n: int) -> tuple[list[dict], list[dict]]:
    """n requests over three days from a few listeners, whole files, halves and small pieces, sorted."""
    rng = random.Random(seed)
    episodes = [episode(),
                episode("e2", url="https://cdn.example.com/shows/e2.mp3", total=300_000, duration=60)]
    rows = []
    for i in range(n):
        ms = rng.randrange(3 * 86_400_000)
        clock = iso(BASE_MS + ms)
        shape = rng.choice([{}, HALF_A, HALF_B, {"status": 206, "range": "bytes=-30000", "sent": 30_000},
                            {"status": 206, "range": "bytes=0-1", "sent": 2}])
        ip = rng.choice(["198.51.100.7", "::ffff:198.51.100.7", "2001:db8:1:2::5"])
        url = rng.choice([e["enclosure_url"] for e in episodes])
        rows.append(row(f"x{i:04d}", clock, ua=f"{UA} {rng.randrange(3)}", ip=ip, url=url, **shape))
    rows.sort(key=lambda r: (r["ts"], r["request_id"]))
    return rows, episodes


def test_logs_shuffled_in_blocks_count_the_same_as_sorted_logs():
    rows, episodes = block_log(seed=11, n=240)
    ads = [{"ad_id": "pre", "episode_id": "e1", "kind": "baked", "start_byte": 10, "end_byte": 20},
           {"ad_id": "mid", "episode_id": "e2", "kind": "dai", "start_byte": 150_000, "end_byte": 160_000}]
    expected = canonical(count(rows, episodes, ads).counted)
    assert expected[1], "the log makes downloads"
    rng = random.Random(5)
    blocks = [rows[i:i + 16] for i in range(0, len(rows), 16)]
    for block in blocks:
        rng.shuffle(block)  # merged edge logs: roughly in time order
    for a in range(0, len(blocks) - 1, 2):
        blocks[a], blocks[a + 1] = blocks[a + 1], blocks[a]
    shuffled = [r for block in blocks for r in block]
    assert shuffled != rows
    assert canonical(count(shuffled, episodes, ads).counted) == expected
    assert canonical(count(rows[::-1], episodes, ads).counted) == expected


# The property test: a small reference counter, written from the rules' text, on random small logs.
KEYS = {"198.51.100.7": "v4", "::ffff:198.51.100.7": "v4", "2001:db8:1:2::1": "n64",
        "2001:db8:1:2:ffff:ee::9": "n64", "2001:db8:1:3::1": "m64"}
EPISODES = {"e1": (1000, 150, 0), "e2": (1000, 60, 100)}  # total, duration, id3: T = 400 and T = 1000


AD_SLOTS = [ad("v1", "dai", 100, 199), ad("v2", "baked", 300, 400), ad("v5", "baked", 240, 260),
            ad("v3", "dai", 0, 0, "e2"), ad("v4", "baked", 700, 999, "e2")]


def reference(rows: list[dict]) -> tuple[dict, dict, dict]:
    """Per mode: request_id -> (reason, download); download_id -> (requests, bytes); the delivered
    (download, ad) pairs."""
    outcomes = {"fixed": {}, "rolling": {}}
    groups: dict[tuple, list] = {}
    for r in rows:
        a, b = _range(r["range"])
        if r["method"] != "GET":
            reason = "not_get"
        elif r["range"].startswith("bytes=") and a is not None and b is not None and b - a + 1 <= 2:
            reason = "probe_only"
        else:
            reason = None
        if reason:
            for mode in outcomes:
                outcomes[mode][r["request_id"]] = (reason, None)
            continue
        ep = r["url"].rsplit("/", 1)[1].removesuffix(".mp3")
        total, duration, id3 = EPISODES[ep]
        t = min(total, id3 + math.ceil((total - id3) * 60 / duration))
        groups.setdefault((KEYS[r["ip"]], r["user_agent"], ep), []).append(
            (r["ms"], r["request_id"], _interval(r, total), t))
    members: dict[str, dict[str, set]] = {"fixed": {}, "rolling": {}}
    for (_, _, ep), requests in groups.items():
        requests.sort()
        for day in sorted({ms // 86_400_000 for ms, *_ in requests}):
            union, q = set(), None
            for _, rid, (s, e), t in (x for x in requests if x[0] // 86_400_000 == day):
                if q:
                    outcomes["fixed"][rid] = ("duplicate_in_window", q)
                    continue
                union |= set(range(s, e))
                if len(union) >= t:
                    q = rid
            for _, rid, _, _ in (x for x in requests if x[0] // 86_400_000 == day):
                outcomes["fixed"].setdefault(rid, ("counted", q) if q else ("below_threshold", None))
        opened, pending = None, []
        for ms, rid, (s, e), t in requests:
            if opened and ms < opened[0] + 86_400_000:
                outcomes["rolling"][rid] = ("duplicate_in_window", opened[1])
                continue
            opened = None
            for p in [p for p in pending if p[0] <= ms - 86_400_000]:
                outcomes["rolling"][p[1]] = ("below_threshold", None)
                pending.remove(p)
            pending.append((ms, rid, set(range(s, e))))
            if len(set().union(*(p[2] for p in pending))) >= t:
                opened = (ms, rid)
                for p in pending:
                    outcomes["rolling"][p[1]] = ("counted", rid)
                pending = []
        for p in pending:
            outcomes["rolling"][p[1]] = ("below_threshold", None)
        for mode in members:
            for _, rid, (s, e), _ in requests:
                download = outcomes[mode][rid][1]
                if download:
                    members[mode].setdefault(download, [0, set(), ep])
                    members[mode][download][0] += 1
                    members[mode][download][1] |= set(range(s, e))
    sizes = {mode: {d: (n, len(b)) for d, (n, b, _) in found.items()} for mode, found in members.items()}
    delivered = {mode: {(d, a["ad_id"]) for d, (_, b, ep) in found.items() for a in AD_SLOTS
                        if a["episode_id"] == ep and _portion(a, EPISODES[ep][0]) <= b}
                 for mode, found in members.items()}
    return outcomes, sizes, delivered


def _portion(slot: dict, total: int) -> set[int]:
    first, last = slot["start_byte"], slot["end_byte"]
    if slot["kind"] == "dai":
        return set(range(first, last + 1))
    cuts = [k * total // 4 for k in range(5)]
    quarter = [k for k in range(4) for x in (first, last) if cuts[k] <= x < cuts[k + 1]]
    return set(range(cuts[quarter[0]], cuts[quarter[1] + 1]))


def _range(text: str) -> tuple[int | None, int | None]:
    if not text:
        return None, None
    first, last = text.removeprefix("bytes=").split("-")
    return (int(first) if first else None), (int(last) if last else None)


def _interval(r: dict, total: int) -> tuple[int, int]:
    a, b = _range(r["range"])
    if r["status"] == "200" or not r["range"]:
        start, cap = 0, total
    elif a is not None and b is not None:
        start, cap = a, min(b + 1, total)
    elif a is not None:
        start, cap = a, total
    else:
        start, cap = max(0, total - b), total
    return start, min(start + int(r["bytes_sent"]), cap)


@st.composite
def small_logs(draw):
    rows = []
    for i in range(draw(st.integers(1, 14))):
        ms = BASE_MS + draw(st.sampled_from([0, 1, 11, 23, 24, 25, 35, 47, 48])) * 3_600_000 + draw(
            st.sampled_from([0, 1, -1, 1_800_000, 86_399_999]))
        a = draw(st.integers(0, 1100))
        form = draw(st.sampled_from(["", "closed", "open", "suffix"]))
        text = {"": "", "closed": f"bytes={a}-{a + draw(st.integers(0, 700))}", "open": f"bytes={a}-",
                "suffix": f"bytes=-{draw(st.integers(1, 1100))}"}[form]
        status = draw(st.sampled_from([200, 206, 206]))
        r = row(f"q{i:02d}", iso(ms),
                method=draw(st.sampled_from(["GET"] * 9 + ["HEAD"])), ip=draw(st.sampled_from(sorted(KEYS))),
                ua=draw(st.sampled_from(["App/1", "App/2"])), range=text, status=status,
                sent=draw(st.integers(0, 1100)),
                url=f"https://cdn.example.com/{draw(st.sampled_from(sorted(EPISODES)))}.mp3")
        rows.append({**r, "ms": ms})
    return rows


EPISODE_ROWS = [episode(e, url=f"https://cdn.example.com/{e}.mp3", total=t, duration=d, id3=i)
                for e, (t, d, i) in EPISODES.items()]


@settings(max_examples=100, deadline=None)
@given(small_logs(), st.randoms(use_true_random=False))
def test_random_logs_count_as_the_reference_in_any_order(rows, rng):
    result = count(rows, EPISODE_ROWS, AD_SLOTS)
    outcomes, sizes, delivered = reference(rows)
    for mode in ("fixed", "rolling"):
        assert result.of(mode) == outcomes[mode]
        assert {d: (v["requests"], v["bytes"]) for d, v in result.downloads(mode).items()} == sizes[mode]
        assert result.ads(mode) == delivered[mode]
    shuffled = list(rows)
    rng.shuffle(shuffled)
    assert canonical(count(shuffled, EPISODE_ROWS, AD_SLOTS).counted) == canonical(result.counted)
