"""Listener signals (issue 17): survey matching, vanity URLs, promo codes and the one-touch-per-campaign
precedence. Pure functions: no database."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from earmark.catalog.entities import normalise_code, normalise_url
from earmark.households.signals import (
    MARGIN,
    PRECEDENCE,
    THRESHOLD,
    Signal,
    SurveyMatch,
    dedupe,
    match_survey,
    promo_match,
    survey_candidates,
    survey_tokens,
    vanity_match,
)

SHOWS = [("show-ledger", "The Night Ledger"), ("show-lines", "Ledger Lines"), ("show-cafe", "Café Noir"),
         ("show-hour", "Sprocket Hour")]
ADVERTISERS = [("adv-harbor", "Harborline VPN", ["Harbor Line"]),
               ("adv-sprocket", "Sprocket and Pine", ["Sprocket & Pine"])]


# --- survey answers -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("answer", "kind", "id_", "matched"), [
    ("the night ledger pod", "show", "show-ledger", "The Night Ledger"),
    ("Night Ledger", "show", "show-ledger", "The Night Ledger"),
    ("NIGHT LEDGER!!", "show", "show-ledger", "The Night Ledger"),
    ("I heard it on the Night Ledger podcast, love it", "show", "show-ledger", "The Night Ledger"),
    ("nightledger", "show", "show-ledger", "The Night Ledger"),
    ("cafe noir", "show", "show-cafe", "Café Noir"),  # accents folded on either side
    ("harbor line", "advertiser", "adv-harbor", "Harbor Line"),  # by its alias
    ("harborline vpn", "advertiser", "adv-harbor", "Harborline VPN"),
    ("sprocket pine ad", "advertiser", "adv-sprocket", "Sprocket and Pine"),
])
def test_survey_answer_names_a_show_or_advertiser(answer, kind, id_, matched):
    match = match_survey(answer, SHOWS, ADVERTISERS)
    assert match == SurveyMatch(kind, id_, matched, match.confidence)
    assert THRESHOLD <= match.confidence <= 1


@pytest.mark.parametrize("answer", [
    "heard it on the ledger",  # two shows have "Ledger" in their titles, and it is only part of either
    "my sister", "a friend", "podcast", "a podcast", "instagram", "google", "spotify", "word of mouth",
    "", "   ", "?!",
])
def test_survey_answer_matching_nothing(answer):
    assert match_survey(answer, SHOWS, ADVERTISERS) is None


def test_a_typo_matches_with_lower_confidence():
    exact = match_survey("night ledger", SHOWS, ADVERTISERS)
    typo = match_survey("nite ledger", SHOWS, ADVERTISERS)
    assert typo.id == exact.id == "show-ledger"
    assert exact.confidence == 1
    assert THRESHOLD <= typo.confidence < exact.confidence


def test_an_ambiguous_answer_matches_nothing():
    shows = [("night", "The Night Ledger"), ("knight", "The Knight Ledger")]
    first, second = survey_candidates("nite ledger", shows, [])[:2]
    # both would pass on their own; neither leads by the margin
    assert first.confidence >= THRESHOLD and second.confidence >= THRESHOLD
    assert first.confidence - second.confidence < MARGIN
    assert match_survey("nite ledger", shows, []) is None
    # alone, the same answer is a match
    assert match_survey("nite ledger", shows[:1], []).id == "night"
    # the one name spelled exactly wins over a near twin
    assert match_survey("the night ledger", shows, []).id == "night"
    assert match_survey("knight ledger", shows, []).id == "knight"


def test_part_of_a_title_is_no_match_even_alone():
    assert match_survey("heard it on the ledger", [("show-ledger", "The Night Ledger")], []) is None


def test_show_and_advertiser_compete():
    shows = [("show-pine", "Pine Talk")]
    advertisers = [("adv-pine", "Pine Talks", [])]
    assert match_survey("pine talk", shows, advertisers).kind == "show"  # the exact one
    assert match_survey("pine talks", shows, advertisers).kind == "advertiser"


def test_survey_tokens_fold_and_drop_filler():
    assert survey_tokens("I heard it on THE Night-Ledger pod!") == ("night", "ledger")
    assert survey_tokens("Café Noir’s episode") == ("cafe", "noir")
    assert survey_tokens("the podcast") == ()


def test_a_title_of_filler_words_only_is_never_matched():
    assert survey_candidates("the show", [("s", "The Show")], []) == []
    assert match_survey("The Show podcast", [("s", "The Show"), ("t", "Night Ledger")], []) is None


# --- vanity URLs -----------------------------------------------------------------------------------------

VANITY = {normalise_url("https://brand.com/show"): ("camp-1", "show-ledger"),
          normalise_url("brand.com/ledger"): ("camp-2", None)}


@pytest.mark.parametrize(("url", "expected"), [
    ("https://brand.com/show", ("camp-1", "show-ledger")),
    ("http://www.brand.com/show", ("camp-1", "show-ledger")),
    ("brand.com/SHOW", ("camp-1", "show-ledger")),  # the catalog folds the path's case too
    ("HTTPS://Brand.com/Show/", ("camp-1", "show-ledger")),
    ("https://brand.com/show?utm_source=pod&utm_medium=audio", ("camp-1", "show-ledger")),
    ("https://brand.com/show/#offer", ("camp-1", "show-ledger")),
    (" https://brand.com/ledger ", ("camp-2", None)),
    ("https://brand.com/show2", None),  # merely starts with the vanity path
    ("https://brand.com/show/faq", None),
    ("https://brand.com/", None),
    ("https://other.com/show", None),
    ("", None),
    (None, None),
])
def test_vanity_landing_url(url, expected):
    assert vanity_match(url, None, VANITY) == expected


def test_vanity_referrer_and_landing_first():
    assert vanity_match("https://brand.com/checkout", "https://brand.com/show?ref=x", VANITY) == \
        ("camp-1", "show-ledger")
    assert vanity_match(None, "www.brand.com/ledger/", VANITY) == ("camp-2", None)
    # both match: the landing URL is the visit's own page
    assert vanity_match("brand.com/ledger", "brand.com/show", VANITY) == ("camp-2", None)
    assert vanity_match("brand.com/show2", "brand.com/shows", VANITY) is None


# --- promo codes -----------------------------------------------------------------------------------------

CODES = {normalise_code("LEDGER20"): ("camp-1", "show-ledger"), normalise_code("pine-10"): ("camp-2", None)}


@pytest.mark.parametrize(("code", "expected"), [
    ("LEDGER20", ("camp-1", "show-ledger")),
    ("ledger20", ("camp-1", "show-ledger")),
    (" Ledger-20 ", ("camp-1", "show-ledger")),
    ("PINE10", ("camp-2", None)),
    ("pine 10", ("camp-2", None)),
    ("LEDGER2", None),
    ("LEDGER200", None),
    ("--", None),
    ("", None),
    (None, None),
])
def test_promo_code(code, expected):
    assert promo_match(code, CODES) == expected


def test_an_empty_code_never_matches_an_empty_key():
    assert promo_match("  -  ", {"": ("camp-x", None)}) is None


# --- one touch per conversion and campaign ---------------------------------------------------------------

T0 = datetime(2025, 3, 1, 12, tzinfo=UTC)


def _signal(kind, campaign="camp-1", conversion="conv-1", minutes=0, event="e1", confidence=1.0):
    at = T0 + timedelta(minutes=minutes)
    return Signal(conversion, campaign, "show-ledger", kind, at, confidence, event)


def test_precedence_is_documented_order():
    assert PRECEDENCE == ("promo_code", "vanity_url", "survey", "household")


def test_two_signals_of_one_campaign_keep_the_promo_code():
    vanity = _signal("vanity_url", minutes=-30, event="pixel-1")
    promo = _signal("promo_code", minutes=-60, event="conv-1")  # older, still first
    assert dedupe([vanity, promo]) == [promo]
    assert dedupe([promo, vanity]) == [promo]


@pytest.mark.parametrize(("kinds", "kept"), [
    (("vanity_url", "survey"), "vanity_url"),
    (("household", "survey"), "survey"),
    (("household", "vanity_url", "survey", "promo_code"), "promo_code"),
])
def test_each_kind_beats_the_next(kinds, kept):
    signals = [_signal(kind, minutes=i, event=f"e{i}", confidence=0.9) for i, kind in enumerate(kinds)]
    assert [s.kind for s in dedupe(signals)] == [kept]


def test_same_kinds_of_different_campaigns_are_all_kept():
    signals = [_signal("promo_code", campaign="camp-1"), _signal("promo_code", campaign="camp-2", event="e2"),
               _signal("vanity_url", campaign="camp-2", event="e3")]
    kept = dedupe(signals)
    assert [(s.campaign_id, s.kind) for s in kept] == [("camp-1", "promo_code"), ("camp-2", "promo_code")]


def test_different_conversions_are_kept_apart():
    signals = [_signal("promo_code", conversion="conv-1"), _signal("survey", conversion="conv-2")]
    assert [(s.conversion_id, s.kind) for s in dedupe(signals)] == [("conv-1", "promo_code"),
                                                                     ("conv-2", "survey")]


def test_three_way_tie_breaks():
    early = _signal("survey", minutes=0, event="a")
    late_b = _signal("survey", minutes=5, event="b")
    late_c = _signal("survey", minutes=5, event="c")
    assert dedupe([early, late_b, late_c]) == [late_b]  # the latest, then the smallest event id
    assert dedupe([late_c, early]) == [late_c]


def test_input_order_does_not_matter():
    signals = [
        _signal("household", minutes=-90, event="h1", confidence=0.6),
        _signal("survey", minutes=60, event="s1", confidence=0.86),
        _signal("vanity_url", minutes=-5, event="p1"),
        _signal("vanity_url", minutes=-5, event="p0"),
        _signal("promo_code", campaign="camp-2", event="c1"),
        _signal("household", campaign="camp-2", minutes=-1, event="h2", confidence=0.5),
        _signal("survey", campaign="camp-3", conversion="conv-2", event="s2", confidence=0.9),
        _signal("survey", campaign="camp-3", conversion="conv-2", event="s3", confidence=0.8),
        _signal("household", campaign="camp-1", conversion="conv-2", event="h3", confidence=0.7),
    ]
    expected = dedupe(signals)
    assert [(s.conversion_id, s.campaign_id, s.source_event_id) for s in expected] == [
        ("conv-1", "camp-1", "p0"), ("conv-1", "camp-2", "c1"), ("conv-2", "camp-1", "h3"),
        ("conv-2", "camp-3", "s2")]
    rng = random.Random(17)
    for _ in range(20):
        shuffled = signals[:]
        rng.shuffle(shuffled)
        assert dedupe(shuffled) == expected
    assert dedupe(iter(reversed(signals))) == expected


def test_empty_and_invalid_signals():
    assert dedupe([]) == []
    with pytest.raises(ValueError, match="unknown signal kind"):
        _signal("pixel")
    with pytest.raises(ValueError, match="outside 0..1"):
        _signal("survey", confidence=1.5)
