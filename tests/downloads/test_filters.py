"""R1 and R2 by hand: which episode a URL is, the eight filters and their order (IAB_COUNTING.md).

The default episode is 1,000,000 bytes of 600 s without ID3, so T = ceil(1,000,000 * 60 / 600) = 100,000;
a full-file GET (the default row) is one download. Each case below uses its own user agent (or IP) so
that it is its own listener unless the test says otherwise.
"""

from __future__ import annotations

from logs import IP, UA, URL, count, episode, row, ts

DAY = "2026-11-02"
UNKNOWN = "https://cdn.example.com/shows/Nope.mp3"
BOT_WATCH = "PodBot/1.0 (Watch; watchOS 10.1)"  # a bot (contains 'bot') and a watch
WATCH = "AppleCoreMedia/1.0.0.21S71 (Apple Watch; U; CPU OS 10_1 like Mac OS X; watchOS 10.1)"
CLOUD = "203.0.113.9"  # inside the tests' CIDR list (203.0.113.0/24)


def at(minute: int) -> str:
    return ts(DAY, f"10:{minute:02d}")


def test_each_filter_wins_over_every_later_one():
    # Row k fails filter k and every filter after it; it gets filter k's reason and nothing else.
    rows = [
        row("p1", at(1), method="HEAD", status=404, url=UNKNOWN, ua=BOT_WATCH, ip=CLOUD, range="bytes=0-1"),
        row("p2", at(2), status=404, url=UNKNOWN, ua=BOT_WATCH, ip=CLOUD, range="bytes=0-1"),
        row("p3", at(3), status=206, url=UNKNOWN, ua=BOT_WATCH, ip=CLOUD, range="bytes=0-1", sent=2),
        row("p4", at(4), status=206, ua=BOT_WATCH, ip=CLOUD, range="bytes=0-1", sent=2),
        row("p5", at(5), status=206, ua=WATCH, ip=CLOUD, range="bytes=0-1", sent=2),
        row("p6", at(6), status=206, ua=WATCH, range="bytes=0-1", sent=2),
        row("p7", at(7), status=206, range="bytes=0-1", sent=2),
        row("p8", at(8)),
    ]
    result = count(rows)
    expected = {"p1": "not_get", "p2": "bad_status", "p3": "unknown_episode", "p4": "bot_ua",
                "p5": "datacenter_ip", "p6": "apple_watch", "p7": "probe_only", "p8": "counted"}
    for mode in ("fixed", "rolling"):
        assert result.reasons(mode) == expected
    assert list(result.downloads("fixed")) == ["p8"]


def test_head_is_not_get_even_from_a_bot_and_get_passes():
    result = count([row("h1", at(1), method="HEAD", ua="Googlebot/2.1", sent=0),
                    row("h2", at(2), method="HEAD", sent=0),
                    row("h3", at(3), method="POST"),
                    row("h4", at(4), method="GET")])
    assert result.reasons("fixed") == {"h1": "not_get", "h2": "not_get", "h3": "not_get", "h4": "counted"}


def test_only_200_and_206_pass_the_status_filter():
    statuses = [200, 206, 204, 301, 302, 304, 403, 404, 416, 500, 503]
    result = count([row(f"s{s}", at(i), status=s, ua=f"{UA} {s}") for i, s in enumerate(statuses)])
    expected = {f"s{s}": "counted" if s in (200, 206) else "bad_status" for s in statuses}
    assert result.reasons("fixed") == expected


# R1: every tracker prefix, scheme and case rule; the enclosure is https://cdn.example.com/shows/Ep1.mp3.
RESOLVES = [
    URL,
    "http://cdn.example.com/shows/Ep1.mp3",
    "HTTPS://CDN.Example.COM/shows/Ep1.mp3",  # scheme any case, host lower-cased
    "  https://cdn.example.com/shows/Ep1.mp3?ver=2&u=1#t=30  ",  # trimmed, query and fragment cut
    "https://cdn.example.com/shows/Ep1.mp3#frag?x=1",  # '#' first, then '?'
    "cdn.example.com/shows/Ep1.mp3",  # no scheme at all
    "https://dts.podtrac.com/redirect.mp3/cdn.example.com/shows/Ep1.mp3",
    "https://dts.podtrac.com/pts/redirect.mp3/cdn.example.com/shows/Ep1.mp3",
    "http://www.podtrac.com/pts/redirect.mp3/https://cdn.example.com/shows/Ep1.mp3",  # a scheme after it
    "https://chrt.fm/track/AB12CD/cdn.example.com/shows/Ep1.mp3",
    "https://chtbl.com/track/9F3E2/cdn.example.com/shows/Ep1.mp3",
    "https://pdst.fm/e/cdn.example.com/shows/Ep1.mp3",
    "https://op3.dev/e/cdn.example.com/shows/Ep1.mp3",
    "https://op3.dev/e,pg=7d5c8f1a-0c63-4d5e-9d2b-1e8f2c9a0b11,hls=1/cdn.example.com/shows/Ep1.mp3",
    "https://pscrb.fm/rss/p/cdn.example.com/shows/Ep1.mp3",
    "HTTPS://DTS.PODTRAC.COM/REDIRECT.MP3/cdn.example.com/shows/Ep1.mp3",  # prefix any case
    "https://dts.podtrac.com/redirect.mp3/CDN.EXAMPLE.COM/shows/Ep1.mp3",  # host lower-cased after it
    # chains, with and without a scheme between the trackers
    "https://dts.podtrac.com/redirect.mp3/chrt.fm/track/X1/pdst.fm/e/op3.dev/e/cdn.example.com/shows/Ep1.mp3",
    "https://pdst.fm/e/https://chtbl.com/track/Z9/http://cdn.example.com/shows/Ep1.mp3?a=b",
]
UNKNOWN_FORMS = [
    "https://cdn.example.com/shows/ep1.mp3",  # the path is case-sensitive
    "https://cdn.example.com/SHOWS/Ep1.mp3",
    "https://cdn.example.com/shows/Ep1.mp3/",
    "https://cdn2.example.com/shows/Ep1.mp3",
    "https://chrt.fm/track/AB-12/cdn.example.com/shows/Ep1.mp3",  # a Chartable ID is letters and digits only
    "https://op3.dev/e,a/b/cdn.example.com/shows/Ep1.mp3",  # OP3's args hold no '/': 'b/cdn...' is left
    "https://example.org/dts.podtrac.com/redirect.mp3/cdn.example.com/shows/Ep1.mp3",  # not leading
    "https://podtrac.com/redirect.mp3/cdn.example.com/shows/Ep1.mp3",  # not one of the listed hosts
    "",
]


def test_every_tracker_prefix_resolves_and_near_misses_do_not():
    urls = RESOLVES + UNKNOWN_FORMS
    rows = [row(f"u{i:02d}", at(i), url=u, ua=f"{UA} u{i:02d}") for i, u in enumerate(urls)]
    result = count(rows)
    reasons = result.reasons("fixed")
    for i, u in enumerate(urls):
        assert reasons[f"u{i:02d}"] == ("counted" if u in RESOLVES else "unknown_episode"), u
    assert {d["episode_id"] for d in result.downloads("fixed").values()} == {"e1"}
    assert len(result.downloads("fixed")) == len(RESOLVES)


def test_the_enclosure_url_is_normalised_the_same_way():
    # e2's enclosure carries a tracker and a query; the CDN's own URL of the file is e2.
    e2 = episode("e2", url="https://dts.podtrac.com/redirect.mp3/Media.Example.net/e2.mp3?aid=rss")
    result = count([row("a", at(1), url="https://media.example.net/e2.mp3"),
                    row("b", at(2), url="https://media.example.net/E2.mp3")], [episode(), e2])
    assert result.reasons("fixed") == {"a": "counted", "b": "unknown_episode"}
    assert result.downloads("fixed")["a"]["episode_id"] == "e2"


def test_bot_list_empty_contains_and_exact_rules_case_insensitive():
    # BOTS: `empty`; `contains bot`; `exact PodcastChecker/1.0`.
    agents = {
        "": "bot_ua", "-": "bot_ua", "   ": "bot_ua", " - ": "bot_ua", "\t": "bot_ua",  # empty rule
        "AhrefsBOT/7.0": "bot_ua", "Mozilla/5.0 (compatible; Googlebot/2.1)": "bot_ua",  # contains
        "podcastchecker/1.0": "bot_ua", "  PodcastChecker/1.0 ": "bot_ua",  # exact, any case, trimmed
        "PodcastChecker/1.0 (extra)": "counted",  # exact means the whole UA
        "PodcastChecker/1.": "counted",
        "--": "counted",  # not empty, not '-'
        "Pocket Casts": "counted",
    }
    rows = [row(f"b{i:02d}", at(i), ua=agent) for i, agent in enumerate(agents)]
    reasons = count(rows).reasons("fixed")
    for i, (agent, expected) in enumerate(agents.items()):
        assert reasons[f"b{i:02d}"] == expected, repr(agent)


def test_without_an_empty_rule_an_empty_user_agent_is_a_listener():
    result = count([row("e1", at(1), ua=""), row("e2", at(2), ua="-"), row("e3", at(3), ua="MyBot")],
                   bots="contains\tbot\n")
    assert result.reasons("fixed") == {"e1": "counted", "e2": "counted", "e3": "bot_ua"}
    assert result.listeners("fixed") == 2  # '' and '-' are different user agents byte for byte


def test_the_shipped_lists_are_the_default():
    result = count([row("d1", at(1), ua="curl/8.4.0"), row("d2", at(2), ua=""),
                    row("d3", at(3), ip="54.1.2.3"), row("d4", at(4))], bots=None, cidrs=None)
    assert result.reasons("fixed") == {"d1": "bot_ua", "d2": "bot_ua", "d3": "datacenter_ip", "d4": "counted"}


def test_datacenter_cidrs_ipv4_ipv6_and_ipv4_mapped():
    # CIDRS: 203.0.113.0/24 and 2001:db8:dc::/48. 203.0.113.9 is cb00:7109 in hex.
    addresses = {
        "203.0.113.9": "datacenter_ip", "203.0.113.255": "datacenter_ip",
        "::ffff:203.0.113.9": "datacenter_ip", "::FFFF:cb00:7109": "datacenter_ip",  # mapped -> IPv4
        "2001:db8:dc:ffff::1": "datacenter_ip", "2001:DB8:DC::": "datacenter_ip",
        "203.0.114.9": "counted", "2001:db8:dd::1": "counted",
        "::ffff:203.0.114.9": "duplicate_in_window",  # passes; and it is 203.0.114.9's listener (R3)
        "2001:db8::cb00:7109": "counted",  # the same low bits, but not IPv4-mapped
    }
    rows = [row(f"c{i:02d}", at(i), ip=address) for i, address in enumerate(addresses)]
    reasons = count(rows).reasons("rolling")
    for i, (address, expected) in enumerate(addresses.items()):
        assert reasons[f"c{i:02d}"] == expected, address


def test_apple_watch_any_case():
    result = count([row("w1", at(1), ua=WATCH), row("w2", at(2), ua="Podcasts/1.0 WATCHOS/10"),
                    row("w3", at(3), ua="Podcasts/1.0 (Apple Watch)"), row("w4", at(4), ua="Overcast (iOS)")])
    # only 'watchOS' counts, in any case; 'Apple Watch' alone is not the rule
    assert result.reasons("fixed") == {"w1": "apple_watch", "w2": "apple_watch", "w3": "counted",
                                       "w4": "counted"}


def test_probe_is_a_closed_range_of_at_most_two_bytes_whatever_the_status():
    cases = [  # (range, status, bytes_sent, expected)
        ("bytes=0-1", 206, 2, "probe_only"),
        ("bytes=0-0", 206, 1, "probe_only"),
        ("bytes=0-1", 200, 1_000_000, "probe_only"),  # the server ignored the Range: still a probe
        ("bytes=0-0", 200, 1_000_000, "probe_only"),
        ("bytes=500-501", 206, 2, "probe_only"),
        ("bytes=0-1", 416, 0, "bad_status"),  # bad_status comes first
        ("bytes=0-2", 206, 3, "below_threshold"),  # 3 bytes < T = 100,000
        ("bytes=0-", 206, 2, "below_threshold"),  # open-ended: not a probe
        ("bytes=-2", 206, 2, "below_threshold"),  # suffix: not a probe
        ("bytes=0-2", 200, 1_000_000, "counted"),  # 200 counts from byte 0: the whole file
    ]
    rows = [row(f"q{i}", at(i), range=r, status=s, sent=n, ua=f"{UA} q{i}")
            for i, (r, s, n, _) in enumerate(cases)]
    result = count(rows)
    for mode in ("fixed", "rolling"):
        assert result.reasons(mode) == {f"q{i}": case[3] for i, case in enumerate(cases)}


def test_a_probe_is_never_part_of_a_download():
    # g1 qualifies; the later probes from the same listener are probes, not duplicates, and add no request.
    result = count([row("g0", at(0), status=206, range="bytes=0-1", sent=2), row("g1", at(1)),
                    row("g2", at(2), status=206, range="bytes=0-1", sent=2)])
    for mode in ("fixed", "rolling"):
        assert result.of(mode) == {"g0": ("probe_only", None), "g1": ("counted", "g1"),
                                   "g2": ("probe_only", None)}
        assert result.downloads(mode)["g1"]["requests"] == 1


def spike_rows(agents: int, *, ip: str = IP, day: str = DAY, prefix: str = "k",
               episodes: tuple[str, ...] = ("e1",)) -> list[dict]:
    """One full-file GET per (user agent, episode), all from one IP on one day: agents x episodes pairs."""
    rows = []
    for a in range(agents):
        for e in episodes:
            url = URL if e == "e1" else f"https://cdn.example.com/shows/{e}.mp3"
            rows.append(row(f"{prefix}{a:02d}{e}", ts(day, f"{a // 60:02d}:{a % 60:02d}"), ip=ip,
                            ua=f"Podcasts/{a}", url=url))
    return rows


def test_exactly_fifty_pairs_per_ip_and_day_are_allowed():
    rows = spike_rows(50) + [row(f"bot{i}", at(i), ua=f"Crawlbot/{i}") for i in range(10)]
    rows += [row("probe", at(20), ua="Podcasts/probe", status=206, range="bytes=0-1", sent=2)]
    reasons = count(rows).reasons("fixed")
    # 50 distinct (UA, e1) pairs passed filters 1-7; the 10 bots and the probe are filtered first and do
    # not count toward the 50 (61 distinct user agents in all from that IP that day).
    assert sum(r == "counted" for r in reasons.values()) == 50
    assert sum(r == "bot_ua" for r in reasons.values()) == 10 and reasons["probe"] == "probe_only"


def test_fifty_one_pairs_exclude_every_request_of_the_group():
    rows = spike_rows(51)
    rows.append(row("again", ts(DAY, "23:00"), ua="Podcasts/0"))  # a duplicate would-be: also spiked
    rows.append(row("bot", ts(DAY, "23:01"), ua="Crawlbot/1"))  # keeps its own reason
    rows.append(row("other-ip", ts(DAY, "23:02"), ip="198.51.100.8", ua="Podcasts/0"))  # another IP key
    rows.append(row("next-day", ts("2026-11-03", "00:00"), ua="Podcasts/0"))  # another UTC day
    result = count(rows)
    for mode in ("fixed", "rolling"):
        reasons = result.reasons(mode)
        assert sum(r == "ip_spike" for r in reasons.values()) == 52  # 51 + 'again'
        assert (reasons["bot"], reasons["other-ip"], reasons["next-day"]) == ("bot_ua", "counted", "counted")
        assert sorted(result.downloads(mode)) == ["next-day", "other-ip"]


def test_pairs_are_user_agent_and_episode_and_the_threshold_is_a_setting():
    episodes = [episode(), episode("e2", url="https://cdn.example.com/shows/e2.mp3")]
    # 25 UAs x 2 episodes = 50 pairs: allowed; 26 x 2 = 52 > 50: spiked (only 26 user agents)
    both = ("e1", "e2")
    assert set(count(spike_rows(25, episodes=both), episodes).reasons("fixed").values()) == {"counted"}
    assert set(count(spike_rows(26, episodes=both), episodes).reasons("fixed").values()) == {"ip_spike"}
    # threshold 3: 3 pairs allowed, 4 spiked
    assert set(count(spike_rows(3), spike_threshold=3).reasons("fixed").values()) == {"counted"}
    assert set(count(spike_rows(4), spike_threshold=3).reasons("fixed").values()) == {"ip_spike"}


def test_spikes_are_per_ipv6_slash_64_and_per_utc_day():
    # 51 user agents behind 51 privacy addresses of one /64: one IP key, 51 pairs -> spiked.
    rows = [{**r, "ip": f"2001:db8:1:2::{i + 1:x}"} for i, r in enumerate(spike_rows(51))]
    assert set(count(rows).reasons("fixed").values()) == {"ip_spike"}
    # 30 pairs before midnight and 21 after (the same IP): 30 and 21 per UTC day, none spiked.
    late = spike_rows(30, day=DAY, prefix="a")
    early = spike_rows(21, day="2026-11-03", prefix="b")
    late = [{**r, "ts": ts(DAY, f"23:{i:02d}")} for i, r in enumerate(late)]
    assert set(count(late + early).reasons("fixed").values()) == {"counted"}
