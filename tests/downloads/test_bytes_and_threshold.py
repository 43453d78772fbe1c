"""R4 and R5 by hand: each request's byte interval, unions of them, the threshold; and the reader's checks."""

from __future__ import annotations

from logs import UA, count, episode, row, ts

from earmark.downloads import rules

DAY = "2026-11-02"


def at(minute: int) -> str:
    return ts(DAY, f"09:{minute:02d}")


# A 1000-byte file of 6000 s: T = ceil(1000 * 60 / 6000) = 10 bytes, so any interval of 10 bytes or more is
# one download, and its `bytes` is its interval's size. DAI ads at the head, middle and tail show where it
# lies.
SMALL = episode(total=1000, duration=6000)
MARKERS = [
    {"ad_id": "head", "episode_id": "e1", "kind": "dai", "start_byte": 0, "end_byte": 99},
    {"ad_id": "mid", "episode_id": "e1", "kind": "dai", "start_byte": 500, "end_byte": 599},
    {"ad_id": "tail", "episode_id": "e1", "kind": "dai", "start_byte": 900, "end_byte": 999},
]


def test_every_range_form_gives_its_interval():
    cases = [  # (range, status, bytes_sent) -> interval [start, end), its size, the markers inside
        ("", 200, 1000, 1000, {"head", "mid", "tail"}),  # [0, 1000)
        ("", 200, 600, 600, {"head", "mid"}),  # [0, 600): the connection was cut
        ("", 206, 300, 300, {"head"}),  # no Range: from 0 whatever the status, [0, 300)
        ("bytes=500-599", 206, 100, 100, {"mid"}),  # [500, 600)
        ("bytes=500-599", 206, 1000, 100, {"mid"}),  # capped at b + 1 = 600
        ("bytes=900-1999", 206, 1100, 100, {"tail"}),  # cap min(2000, 1000): [900, 1000)
        ("bytes=450-", 206, 550, 550, {"mid", "tail"}),  # [450, 1000)
        ("bytes=450-", 206, 100, 100, set()),  # [450, 550): 'mid' needs 500-599
        ("bytes=-100", 206, 100, 100, {"tail"}),  # [1000 - 100, 1000)
        ("bytes=-5000", 206, 1000, 1000, {"head", "mid", "tail"}),  # start max(0, 1000 - 5000) = 0
        ("bytes=500-599", 200, 1000, 1000, {"head", "mid", "tail"}),  # 200: the whole file from 0
        ("bytes=500-599", 200, 100, 100, {"head"}),  # 200 with a Range: from 0, [0, 100), not [500, 600)
        ("bytes=-100", 200, 50, 50, set()),  # 200: [0, 50): 'head' needs 0-99
    ]
    rows = [row(f"r{i:02d}", at(i), range=r, status=s, sent=n, ua=f"{UA} r{i:02d}")
            for i, (r, s, n, _, _) in enumerate(cases)]
    result = count(rows, [SMALL], MARKERS)
    downloads = result.downloads("fixed")
    assert sorted(downloads) == [f"r{i:02d}" for i in range(len(cases))]
    for i, (_, _, _, size, markers) in enumerate(cases):
        rid = f"r{i:02d}"
        assert downloads[rid]["bytes"] == size, rid
        assert {a for d, a in result.ads("fixed") if d == rid} == markers, rid
        assert downloads[rid]["ads_delivered"] == len(markers), rid


def test_empty_intervals_add_nothing():
    # bytes_sent 0: [500, 500); a start past the end: [2000, min(2100, 1000)) is empty; both under T = 10
    result = count([row("z1", at(1), status=206, range="bytes=500-", sent=0),
                    row("z2", at(2), status=206, range="bytes=2000-", sent=100, ua=f"{UA} z2"),
                    row("z3", at(3), status=200, sent=0, ua=f"{UA} z3")], [SMALL])
    assert set(result.reasons("fixed").values()) == {"below_threshold"}


def test_the_union_not_the_sum_of_bytes():
    # default episode: T = 100,000
    rows = [
        # A: a retry of the same 60,000 bytes: union 60,000 < T (the sum, 120,000, would pass)
        row("a1", at(1), ua="A", status=206, range="bytes=0-59999", sent=60_000),
        row("a2", at(2), ua="A", status=206, range="bytes=0-59999", sent=60_000),
        # B: overlapping: [0, 60000) + [50000, 110000) = [0, 110000), 110,000 >= T at b2
        row("b1", at(1), ua="B", status=206, range="bytes=0-59999", sent=60_000),
        row("b2", at(2), ua="B", status=206, range="bytes=50000-109999", sent=60_000),
        # C: adjacent halves: [0, 50000) + [50000, 100000) = exactly T at c2
        row("c1", at(1), ua="C", status=206, range="bytes=0-49999", sent=50_000),
        row("c2", at(2), ua="C", status=206, range="bytes=50000-99999", sent=50_000),
        # D: the whole file twice: one download of 1,000,000 bytes (not 2,000,000); d2 is a duplicate
        row("d1", at(1), ua="D"),
        row("d2", at(2), ua="D"),
        # E: [0, 40000) + [60000, 100000): union 80,000 with a hole (the sum is 80,000 as well) < T
        row("e1", at(1), ua="E", status=206, range="bytes=0-39999", sent=40_000),
        row("e2", at(2), ua="E", status=206, range="bytes=60000-", sent=40_000),
    ]
    result = count(rows)
    for mode in ("fixed", "rolling"):
        assert result.of(mode) == {
            "a1": ("below_threshold", None), "a2": ("below_threshold", None),
            "b1": ("counted", "b2"), "b2": ("counted", "b2"),
            "c1": ("counted", "c2"), "c2": ("counted", "c2"),
            "d1": ("counted", "d1"), "d2": ("duplicate_in_window", "d1"),
            "e1": ("below_threshold", None), "e2": ("below_threshold", None),
        }
        found = result.downloads(mode)
        assert {d: (v["requests"], v["bytes"]) for d, v in found.items()} == {
            "b2": (2, 110_000), "c2": (2, 100_000), "d1": (2, 1_000_000)}


def thresholds(ep: dict, short: int) -> dict[str, str]:
    """A GET of exactly T bytes and one of T - 1 (bytes=0-(n-1)), from two listeners."""
    t = short + 1
    rows = [row("exact", at(1), ua="X", status=206, range=f"bytes=0-{t - 1}", sent=t),
            row("short", at(2), ua="Y", status=206, range=f"bytes=0-{t - 2}", sent=t - 1)]
    return count(rows, [ep]).reasons("fixed")


def test_exact_threshold_and_one_byte_short():
    # T = min(1,000,000, 0 + ceil(1,000,000 * 60 / 600)) = 100,000
    assert rules.threshold(1_000_000, 600, 0) == 100_000
    assert thresholds(episode(), 99_999) == {"exact": "counted", "short": "below_threshold"}
    # 1,234,567 bytes of 1234.5 s with a 4321-byte ID3 tag: 1,230,246 * 60 = 73,814,760; / 1234.5 = 59,793.24;
    # ceil 59,794; T = 4321 + 59,794 = 64,115
    ep = episode(total=1_234_567, duration=1234.5, id3=4321)
    assert rules.threshold(1_234_567, 1234.5, 4321) == 64_115
    assert thresholds(ep, 64_114) == {"exact": "counted", "short": "below_threshold"}
    # an exact quotient is not rounded up: 823,000 * 60 / 1234.5 = 40,000 exactly, T = 40,000
    assert rules.threshold(823_000, 1234.5, 0) == 40_000
    assert thresholds(episode(total=823_000, duration=1234.5), 39_999) == {"exact": "counted",
                                                                           "short": "below_threshold"}


def test_an_episode_of_sixty_seconds_or_less_needs_the_whole_file():
    # 60 s: T = min(500,000, 10,000 + ceil(490,000 * 60 / 60)) = min(500,000, 500,000) = 500,000
    assert thresholds(episode(total=500_000, duration=60, id3=10_000), 499_999) == {
        "exact": "counted", "short": "below_threshold"}
    # 30 s: 10,000 + 980,000 = 990,000, capped at the file: T = 500,000
    assert rules.threshold(500_000, 30, 10_000) == 500_000
    assert thresholds(episode(total=500_000, duration=30, id3=10_000), 499_999) == {
        "exact": "counted", "short": "below_threshold"}


def test_an_episode_without_id3():
    # id3 null or 0: T = ceil(999,999 * 60 / 3600) = ceil(16,666.65) = 16,667
    # (with a 1000-byte tag it would be 1000 + ceil(998,999 / 60) = 1000 + 16,650 = 17,650)
    for id3 in (None, 0):
        assert thresholds(episode(total=999_999, duration=3600, id3=id3), 16_666) == {
            "exact": "counted", "short": "below_threshold"}
    assert thresholds(episode(total=999_999, duration=3600, id3=1000), 17_649) == {
        "exact": "counted", "short": "below_threshold"}


def test_reader_rejects_unreadable_rows_with_their_numbers():
    good = row("ok", at(1))
    bad = [  # row numbers count from 1: the line after the header
        {"request_id": ""},  # 2
        {"ts": "2026-11-02 09:00:00"},  # 3
        {"ts": "yesterday"},  # 4
        {"ts": "2026-11-02T09:00:00.000+01:00"},  # 5 (UTC 'Z' only)
        {"method": ""},  # 6
        {"method": "GE T"},  # 7
        {"ip": "not an ip"},  # 8
        {"ip": "999.1.2.3"},  # 9 (looks like one, is not)
        {"ip": ""},  # 10
        {"status": "2OO"},  # 11
        {"status": "600"},  # 12
        {"status": ""},  # 13
        {"range": "bytes=5-3"},  # 14
        {"range": "bytes=0-1,4-5"},  # 15
        {"range": "items=0-1"},  # 16
        {"range": "bytes=-"},  # 17
        {"bytes_sent": "-1"},  # 18
        {"bytes_sent": "1.5"},  # 19
        {"bytes_sent": ""},  # 20
        {"ts": "never", "ip": "nope", "range": "bytes=9-1"},  # 21: the first unreadable field, ts, is named
    ]
    rows = [good] + [{**good, "request_id": f"bad{n}", **change} for n, change in enumerate(bad, start=2)]
    rows.append({**good, "request_id": "ok2", "range": " bytes=0- ", "status": " 206 "})  # 22
    result = count(rows)
    rejected = result.rejected()
    fields = {2: "request_id", 3: "ts", 4: "ts", 5: "ts", 6: "method", 7: "method", 8: "ip", 9: "ip",
              10: "ip", 11: "status", 12: "status", 13: "status", 14: "range", 15: "range", 16: "range",
              17: "range", 18: "bytes_sent", 19: "bytes_sent", 20: "bytes_sent", 21: "ts"}
    assert sorted(rejected) == sorted(fields)
    for number, field in fields.items():
        assert rejected[number].split(" ", 1)[0] == field, (number, rejected[number])
    # accounting: every row is either valid or rejected, once
    assert result.batch.valid.height + result.batch.rejected.height == len(rows) == 22
    assert sorted(result.batch.valid["row_number"].to_list()) == [1, 22]
    assert result.reasons("fixed") == {"ok": "counted", "ok2": "duplicate_in_window"}
