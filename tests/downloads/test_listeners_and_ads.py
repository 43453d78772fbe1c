"""R3 and R7 by hand: who a listener is (IP key and user agent, byte for byte) and which ads a download
delivered (baked ads by quarter, DAI ads by bytes, within the union of all the download's requests)."""

from __future__ import annotations

import unicodedata

from logs import ad, count, episode, row, ts

from earmark.downloads import rules

MON, TUE = "2026-11-02", "2026-11-03"
HALF_A = {"status": 206, "range": "bytes=0-49999", "sent": 50_000}  # T = 100,000 on the default episode
HALF_B = {"status": 206, "range": "bytes=50000-99999", "sent": 50_000}


def at(minute: int, day: str = MON) -> str:
    return ts(day, f"10:{minute:02d}")


def test_ipv6_privacy_addresses_within_one_slash_64_are_one_listener():
    rows = [
        # one /64 (2001:db8:1:2::/64), two interface ids: the halves make one download of exactly T
        row("p1", at(1), ip="2001:db8:1:2:a1b2:c3d4:e5f6:1", **HALF_A),
        row("p2", at(2), ip="2001:db8:1:2:9e8d:7c6b:5a4f:2", **HALF_B),
        # two /64s (...:1:4:: and ...:1:5::): two listener-episodes of half a file each, no download
        row("s1", at(1), ip="2001:db8:1:4::1", **HALF_A),
        row("s2", at(2), ip="2001:db8:1:5::1", **HALF_B),
    ]
    result = count(rows)
    for mode in ("fixed", "rolling"):
        assert result.of(mode) == {"p1": ("counted", "p2"), "p2": ("counted", "p2"),
                                   "s1": ("below_threshold", None), "s2": ("below_threshold", None)}
        assert result.downloads(mode)["p2"]["requests"] == 2


def test_full_files_from_two_slash_64s_are_two_listeners_and_spellings_do_not_matter():
    rows = [row("a1", at(1), ip="2001:DB8:1:2::10"),
            row("a2", at(2), ip="2001:0db8:0001:0002:0000:0000:0000:0011"),  # the same /64, written out
            row("b1", at(3), ip="2001:db8:1:3::10")]
    result = count(rows)
    assert result.of("fixed") == {"a1": ("counted", "a1"), "a2": ("duplicate_in_window", "a1"),
                                  "b1": ("counted", "b1")}
    assert result.listeners("fixed") == result.listeners("rolling") == 2


def test_ipv4_mapped_ipv6_is_the_ipv4_listener():
    result = count([row("m1", at(1), ip="::ffff:198.51.100.7", **HALF_A),
                    row("m2", at(2), ip="198.51.100.7", **HALF_B),
                    row("m3", at(3), ip="::FFFF:c633:6407")])  # 198.51.100.7 in hex: still the same listener
    assert result.of("rolling") == {"m1": ("counted", "m2"), "m2": ("counted", "m2"),
                                    "m3": ("duplicate_in_window", "m2")}
    assert result.listeners("rolling") == 1


def test_user_agents_are_compared_byte_for_byte():
    nfc = unicodedata.normalize("NFC", "Café/1.0")
    nfd = unicodedata.normalize("NFD", "Café/1.0")  # looks the same, other bytes
    agents = ["Podcast-Äpp/2.0 (Ünïcode; 日本語)", "Podcast-Äpp/2.0 (Ünïcode; 日本語)",  # the same twice: one
              "podcast-äpp/2.0 (ünïcode; 日本語)",  # differs only by case: another listener
              nfc, nfd, "App/1.0", "App/1.0 "]  # a trailing space: another listener
    rows = [row(f"u{i}", at(i), ua=agent, referer=f"https://ref{i}.example/")
            for i, agent in enumerate(agents)]
    result = count(rows)
    assert nfc != nfd
    assert result.of("fixed") == {"u0": ("counted", "u0"), "u1": ("duplicate_in_window", "u0"),
                                  "u2": ("counted", "u2"), "u3": ("counted", "u3"), "u4": ("counted", "u4"),
                                  "u5": ("counted", "u5"), "u6": ("counted", "u6")}
    assert result.listeners("fixed") == 6  # and the different referers of u0 and u1 played no part


def test_listeners_span_episodes():
    # one listener, two episodes of one show: two downloads, one listener of the show
    e2 = episode("e2", url="https://cdn.example.com/shows/Ep2.mp3")
    result = count([row("x1", at(1)), row("x2", at(2), url="https://cdn.example.com/shows/Ep2.mp3")],
                   [episode(), e2])
    assert {d: v["episode_id"] for d, v in result.downloads("fixed").items()} == {"x1": "e1", "x2": "e2"}
    assert result.listeners("fixed") == 1


# Baked ads: a 1003-byte file is cut at floor(k * 1003 / 4) = 0, 250, 501, 752, 1003 (250.75, 501.5, 752.25).
# T = ceil(1003 * 60 / 6000) = ceil(10.03) = 11 bytes, so each request below is a download on its own.
BAKED_FILE = episode(total=1003, duration=6000)
BAKED = [
    ad("b1", "baked", 300, 400),  # quarter 1: [250, 501)
    ad("b2", "baked", 600, 800),  # quarters 2-3: [501, 1003)
    ad("b3", "baked", 250, 250),  # quarter 1 (its first byte)
    ad("b4", "baked", 249, 251),  # quarters 0-1: [0, 501)
    ad("b5", "baked", 501, 501),  # quarter 2: [501, 752)
    ad("b6", "baked", 500, 500),  # quarter 1 (its last byte)
    ad("b7", "baked", 751, 752),  # quarters 2-3: [501, 1003)
]


def test_baked_ads_need_the_quarters_that_hold_them():
    assert rules.quarter_bounds(1003) == [0, 250, 501, 752, 1003]
    cases = {  # request id: (range, bytes_sent) -> the interval, the ads whose portion it holds
        "L1": ("bytes=250-500", 251, {"b1", "b3", "b6"}),  # [250, 501): quarter 1 exactly
        "L2": ("bytes=250-499", 250, set()),  # [250, 500): b1's own bytes, not its quarter's last byte
        "L3": ("bytes=0-751", 752, {"b1", "b3", "b4", "b5", "b6"}),  # [0, 752): quarters 0-2
        "L4": ("", 1003, {"b1", "b2", "b3", "b4", "b5", "b6", "b7"}),  # the whole file
        "L5": ("bytes=501-", 502, {"b2", "b5", "b7"}),  # [501, 1003): quarters 2-3
        "L6": ("bytes=501-751", 251, {"b5"}),  # [501, 752): quarter 2 alone; b7 needs quarter 3 as well
    }
    rows = [row(rid, at(i), ua=f"App/{rid}", range=r, status=206 if r else 200, sent=n)
            for i, (rid, (r, n, _)) in enumerate(cases.items())]
    result = count(rows, [BAKED_FILE], BAKED)
    for mode in ("fixed", "rolling"):
        delivered = result.ads(mode)
        for rid, (_, _, ads) in cases.items():
            assert {a for d, a in delivered if d == rid} == ads, (mode, rid)
            assert result.downloads(mode)[rid]["ads_delivered"] == len(ads)


# DAI ads on a 1000-byte file (T = ceil(1000 * 60 / 6000) = 10): [start_byte, end_byte] inclusive must lie
# inside B, the union of all the download's requests.
DAI_FILE = episode(total=1000, duration=6000)
DAI = [ad("d1", "dai", 400, 499), ad("d2", "dai", 400, 500), ad("d3", "dai", 600, 700), ad("d4", "dai", 0, 0),
       ad("d5", "dai", 999, 999), ad("d6", "dai", 950, 1000)]  # d6 ends past the file: never delivered


def test_dai_ads_by_bytes_within_the_union_of_the_download():
    def part(rid, minute, ua, first, last):
        return row(rid, at(minute), ua=ua, status=206, range=f"bytes={first}-{last}", sent=last - first + 1)

    rows = [
        part("a1", 1, "A", 0, 499),  # B = [0, 500): d1 (400-499), d4; not d2 (needs byte 500)
        part("b1", 1, "B", 0, 499), part("b2", 2, "B", 500, 999),  # b2 is b1's duplicate: B = [0, 1000)
        part("c1", 1, "C", 0, 499), part("c2", 2, "C", 501, 999),  # B = [0, 500) + [501, 1000): no d2
        row("f1", at(1), ua="F", sent=1000), row("f2", at(2), ua="F", sent=1000),  # the whole file 3 times:
        row("f3", at(3), ua="F", sent=1000),  # each ad at most once
    ]
    result = count(rows, [DAI_FILE], DAI)
    expected = {("a1", "d1"), ("a1", "d4"),
                ("b1", "d1"), ("b1", "d2"), ("b1", "d3"), ("b1", "d4"), ("b1", "d5"),
                ("c1", "d1"), ("c1", "d3"), ("c1", "d4"), ("c1", "d5"),
                ("f1", "d1"), ("f1", "d2"), ("f1", "d3"), ("f1", "d4"), ("f1", "d5")}
    for mode in ("fixed", "rolling"):
        assert result.reasons(mode)["b2"] == "duplicate_in_window"
        assert result.ads(mode) == expected  # (Result.ads also checks that no pair is there twice)
        found = result.downloads(mode)
        assert {d: (v["requests"], v["ads_delivered"]) for d, v in found.items()} == {
            "a1": (1, 2), "b1": (2, 5), "c1": (2, 4), "f1": (3, 5)}


def test_each_mode_delivers_from_its_own_downloads_dated_with_them():
    # Mon 23:00 [0, 500), Tue 01:00 [500, 1000), one listener.
    rows = [row("r1", ts(MON, "23:00"), status=206, range="bytes=0-499", sent=500),
            row("r2", ts(TUE, "01:00"), status=206, range="bytes=500-999", sent=500)]
    result = count(rows, [DAI_FILE], DAI)
    # fixed: two downloads, B = [0, 500) on Monday and [500, 1000) on Tuesday; d2 (400-500) straddles both
    assert result.ads("fixed") == {("r1", "d1"), ("r1", "d4"), ("r2", "d3"), ("r2", "d5")}
    # rolling: r2 is r1's duplicate (2 h later): B = [0, 1000), everything in the file, dated Monday
    assert result.ads("rolling") == {("r1", "d1"), ("r1", "d2"), ("r1", "d3"), ("r1", "d4"), ("r1", "d5")}
    days = {(m, d, a): day.isoformat() for m, d, a, day in result.counted.ads.iter_rows()}
    assert days[("fixed", "r2", "d3")] == TUE and days[("rolling", "r1", "d3")] == MON


def test_ad_bytes_outside_a_valid_download_never_count():
    # default episode, T = 100,000; the pre-roll is bytes 0-999 and e2's ad is on another episode
    ads = [ad("pre", "dai", 0, 999), ad("early", "baked", 0, 10), ad("other", "dai", 0, 10, episode_id="e2")]
    e2 = episode("e2", url="https://cdn.example.com/shows/Ep2.mp3")
    rows = [row("probe", at(1), status=206, range="bytes=0-1", sent=2),  # probe_only: never in a download
            row("short", at(2), status=206, range="bytes=0-9999", sent=10_000),  # below_threshold
            row("bot", at(3), ua="SomeBot/1"),  # bot_ua
            row("full", at(4), ua="Listener/1")]  # a download of e1: 'pre' and 'early' only
    result = count(rows, [episode(), e2], ads)
    assert result.reasons("fixed") == {"probe": "probe_only", "short": "below_threshold", "bot": "bot_ua",
                                       "full": "counted"}
    assert result.ads("fixed") == result.ads("rolling") == {("full", "pre"), ("full", "early")}


def test_many_deliveries_at_once():
    # 700 listeners (700 IPv4 addresses, so no spike) each download the whole default file once; three DAI
    # ads of 1000 bytes each: 700 x 3 = 2100 delivered ads per mode, each (download, ad) once.
    rows = [row(f"r{i:03d}", at(0), ip=f"198.51.{i // 250}.{i % 250 + 1}") for i in range(700)]
    ads = [ad(f"a{k}", "dai", k * 1000, k * 1000 + 999) for k in range(3)]
    result = count(rows, None, ads)
    for mode in ("fixed", "rolling"):
        assert len(result.downloads(mode)) == 700 and result.listeners(mode) == 700
        assert len(result.ads(mode)) == 2100
        assert {v["ads_delivered"] for v in result.downloads(mode).values()} == {3}
