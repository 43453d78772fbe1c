"""The two list formats of IAB_COUNTING.md: what a rule matches, what is refused, and the shipped defaults."""

from __future__ import annotations

import pytest

from earmark.downloads.addresses import parse
from earmark.downloads.lists.parse import ListError, default_texts, parse_bots, parse_cidrs


def test_each_match_kind_matches_what_the_format_says():
    bots = parse_bots("# comment\n\nempty\t\tno UA\nexact\tPodChecker/1.0\tmonitor\n"
                      "contains\tbot \tspace counts\nexact\t-\ta dash\n")
    assert [p.match for p in bots.patterns] == ["empty", "exact", "contains", "exact"]
    assert bots.is_bot("") and bots.is_bot("   ") and bots.is_bot("-")
    # exact: the trimmed UA, any case; contains: the pattern's own space is part of it
    assert bots.is_bot("  podchecker/1.0 ") and not bots.is_bot("PodChecker/1.0 (extra)")
    assert bots.is_bot("MyBot (x)") and not bots.is_bot("MyBot")
    only_exact = parse_bots("exact\t-\ta dash\n")
    assert only_exact.is_bot("-") and not only_exact.is_bot("")  # no `empty` rule: an empty UA is no bot


def test_a_cidr_written_as_ipv4_mapped_ipv6_matches_the_ipv4_addresses_it_maps():
    cidrs = parse_cidrs("::ffff:203.0.113.0/120\n2001:db8::/32  # a note\n")
    assert cidrs.networks == ((1, "203.0.113.0/24"), (2, "2001:db8::/32"))
    assert cidrs.contains(parse("203.0.113.200")) and cidrs.contains(parse("::ffff:203.0.113.7"))
    assert cidrs.contains(parse("2001:db8:5::1")) and not cidrs.contains(parse("203.0.114.1"))


@pytest.mark.parametrize(("bots", "message"), [
    ("contains\tbot\nnope\n", "bots.tsv line 2: expected match<TAB>pattern<TAB>note"),
    ("regex\t.*\tx\n", "bots.tsv line 1: match 'regex' is not one of empty, contains, exact"),
    ("contains\t \tblank\n", "bots.tsv line 1: a contains rule needs a pattern"),
    ("exact\ta\tb\tc\n", "bots.tsv line 1: expected match<TAB>pattern<TAB>note"),
])
def test_a_malformed_bot_line_is_refused_with_its_number(bots, message):
    with pytest.raises(ListError, match=message):
        parse_bots(bots, "bots.tsv")


@pytest.mark.parametrize("line", ["10.0.0.0", "10.0.0.0/33", "not-a-network/8", "2001:db8::/129"])
def test_a_malformed_cidr_line_is_refused_with_its_number(line):
    with pytest.raises(ListError, match=r"cidrs.txt line 2: .* is not a CIDR"):
        parse_cidrs(f"# header\n{line}\n", "cidrs.txt")


def test_the_shipped_lists_parse_and_name_their_sources():
    bots_text, cidrs_text = default_texts()
    bots, cidrs = parse_bots(bots_text), parse_cidrs(cidrs_text)
    assert "Source:" in bots_text and "Source:" in cidrs_text
    assert len(bots.patterns) >= 30 and len(cidrs.networks) >= 20
    assert bots.is_bot("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")
    assert bots.is_bot("python-requests/2.32") and bots.is_bot("")
    for listener in ("AppleCoreMedia/1.0.0.21E236 (iPhone; U; CPU OS 17_4 like Mac OS X; en_us)",
                     "Spotify/8.9.0 Android/34", "Overcast/3.0 (+http://overcast.fm/; iOS podcast app)",
                     "PocketCasts/7.70", "Podcasts/1.1.0.1 CFNetwork/1498 Darwin/23.6.0"):
        assert not bots.is_bot(listener), listener
    assert cidrs.contains(parse("54.12.3.4")) and not cidrs.contains(parse("192.0.2.1"))
    assert bots.sha256 != cidrs.sha256 and len(bots.sha256) == 64
