"""Listener signals (issue 17): promo codes, vanity URLs and survey answers as touchpoints of a campaign and
show, and the precedence that keeps one touch per conversion and campaign.

Three signals say, in the listener's own doing, that a purchase came from a podcast ad:

* a promo code redeemed at checkout (a conversion's promo_code column or a promo_code touchpoint), looked
  up in catalog.promo_codes after the catalog's own normalisation (`normalise_code`);
* a vanity-URL visit: a pixel event whose landing URL, else its referrer, is one of catalog.vanity_urls
  after the catalog's `normalise_url` (scheme, "www.", query, fragment and trailing slash dropped, ASCII
  lower-case); the whole normalised URL must be equal, so brand.com/show2 is not brand.com/show;
* a survey answer ("where did you hear about us?") naming a show or an advertiser in free text, matched
  to the catalog fuzzily with a confidence (`match_survey`).

A fourth, the household match (a delivered ad and a site visit from one IP), is inferred by
earmark.households and only ranked here.

Precedence. One conversion may carry several signals of the same campaign (a listener follows the vanity
URL, then types the code, then answers the survey); counting each would count the sale two or three times
for one campaign. `dedupe` keeps exactly one per (conversion, campaign), the first kind of `PRECEDENCE`:

1. promo_code: typed at checkout, it is the listener's own deliberate statement about this very purchase;
2. vanity_url: deliberate too, but a visitor can reach the page from a search result or a shared link
   without having heard the ad;
3. survey: deliberate, but recalled later (often long after the episode) and matched fuzzily to the
   catalog, so it carries a confidence below one;
4. household: inferred from an IP address shared by a download and a visit, never stated by anyone.

Within one kind the latest signal wins (it is the closest to the purchase), then the smallest
source_event_id, so the outcome never depends on the order signals arrive in. Signals of different
campaigns on one conversion are all kept: each campaign may claim the conversion once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from rapidfuzz.distance import Indel

from earmark.catalog.entities import normalise_code, normalise_url

PRECEDENCE = ("promo_code", "vanity_url", "survey", "household")
SignalKind = Literal["promo_code", "vanity_url", "survey", "household"]
_RANK = {kind: rank for rank, kind in enumerate(PRECEDENCE)}

# campaign_id, show_id (None when the code or URL is the campaign's, not one show's)
Link = tuple[str, str | None]

# Survey matching. A candidate's score mixes a token-set similarity (which words of the answer and of the
# name correspond, spelling slips allowed) with a character similarity of the whole folded strings.
THRESHOLD = 0.8  # lowest score accepted as a match
MARGIN = 0.1  # how far the best candidate must lead the next one; closer, the answer is ambiguous
TOKEN_WEIGHT = 0.6  # the rest (0.4) is the character similarity
TOKEN_FLOOR = 0.65  # two words this similar (Indel ratio) correspond ("nite" / "night" 0.67); below, not
# Words that say nothing about which show or brand: the question's own vocabulary and glue. Dropped from
# the answer and from the catalog's names alike, so "The Night Ledger" is "night ledger" on both sides.
_FILLER_WORDS = """
    a an and the of on in at to from via by for with about s
    i it its my me we our you your he she they them
    heard hear hearing listen listened listening saw seen think was is were ad ads advert
    pod pods podcast podcasts show shows episode episodes radio
"""
FILLER = frozenset(_FILLER_WORDS.split())
_NOT_WORD = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class SurveyMatch:
    kind: Literal["show", "advertiser"]
    id: str
    matched_text: str  # the catalog's title, name or alias that the answer matched
    confidence: float  # the score, 0..1


@dataclass(frozen=True)
class Signal:
    """One listener signal of a conversion, tied to a campaign (and its show when known)."""

    conversion_id: str
    campaign_id: str
    show_id: str | None
    kind: SignalKind
    occurred_at: datetime
    confidence: float
    source_event_id: str

    def __post_init__(self) -> None:
        if self.kind not in _RANK:
            raise ValueError(f"unknown signal kind {self.kind!r}; one of {', '.join(PRECEDENCE)}")
        if not 0 <= self.confidence <= 1:
            raise ValueError(f"confidence {self.confidence} is outside 0..1")


def promo_match(code: str | None, codes: dict[str, Link]) -> Link | None:
    """The (campaign_id, show_id) of a redeemed code, keyed as catalog.promo_codes stores codes (letters and
    digits, upper-case: `normalise_code`), or None. " ledger-20" redeems LEDGER20."""
    if code is None:
        return None
    key = normalise_code(code)
    return codes.get(key) if key else None


def vanity_match(url: str | None, referrer: str | None, vanity: dict[str, Link]) -> Link | None:
    """The (campaign_id, show_id) of the vanity URL a pixel event's landing URL is, else its referrer is, or
    None. Both are normalised as catalog.vanity_urls are stored (`normalise_url`) and must equal a stored
    URL as a whole: a longer path (brand.com/show2, brand.com/show/faq) is another page."""
    for candidate in (url, referrer):
        if candidate:
            key = normalise_url(candidate)
            if key and key in vanity:
                return vanity[key]
    return None


def survey_tokens(text: str) -> tuple[str, ...]:
    """The words of `text` that can name something: case-folded, accents stripped, punctuation dropped,
    FILLER words removed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return tuple(w for w in _NOT_WORD.split(bare) if w and w not in FILLER)


def survey_candidates(answer: str, shows: Sequence[tuple[str, str]],
                      advertisers: Sequence[tuple[str, str, Iterable[str]]]) -> list[SurveyMatch]:
    """Every show and advertiser scored against `answer`, best first (an advertiser by its best spelling:
    name or alias); what `match_survey` decides from, and what a reviewer of an unmatched answer sees."""
    words = survey_tokens(answer)
    if not words:
        return []
    scored: list[SurveyMatch] = []
    for show_id, title in shows:
        scored += _best("show", show_id, [title], words)
    for advertiser_id, name, aliases in advertisers:
        scored += _best("advertiser", advertiser_id, [name, *aliases], words)
    scored.sort(key=lambda m: (-m.confidence, m.kind, m.id))
    return scored


def match_survey(answer: str, shows: Sequence[tuple[str, str]],
                 advertisers: Sequence[tuple[str, str, Iterable[str]]]) -> SurveyMatch | None:
    """The show or advertiser a survey answer names, or None: the best candidate scores THRESHOLD or more
    and leads the next candidate by MARGIN or more (two shows with "Ledger" in their titles leave "the
    ledger" unmatched), unless it is the only name the answer spells exactly once folded ("night ledger" is
    The Night Ledger even beside The Knight Ledger). A bare part of a name is no match ("the ledger" for
    The Night Ledger scores 0.71): a survey signal claims a conversion, so doubt leaves it unclaimed.

    Shows are (show_id, title); advertisers (advertiser_id, name, aliases). Pass a partner podcast or an
    own show as a show only: its advertiser row of the same name would tie with it."""
    ranked = survey_candidates(answer, shows, advertisers)
    if not ranked or ranked[0].confidence < THRESHOLD:
        return None
    best, runner_up = ranked[0], ranked[1].confidence if len(ranked) > 1 else 0.0
    exact = best.confidence == 1 and runner_up < 1  # the answer is one name exactly, and no other name
    if not exact and best.confidence - runner_up < MARGIN:
        return None
    return best


def _best(kind: Literal["show", "advertiser"], id_: str, spellings: list[str],
          words: tuple[str, ...]) -> list[SurveyMatch]:
    best: SurveyMatch | None = None
    for spelling in spellings:
        name = survey_tokens(spelling)
        if not name:
            continue  # a name of filler only ("The Show") is never told apart from an answer's glue
        score = round(_score(words, name), 4)
        if best is None or score > best.confidence:
            best = SurveyMatch(kind, id_, spelling, score)
    return [best] if best else []


def _score(answer: tuple[str, ...], name: tuple[str, ...]) -> float:
    """The mix of both similarities over the words, or over the words run together when that is higher:
    spacing never matters ("nightledger", "Harbor Line" / "Harborline")."""
    joined = ("".join(answer),), ("".join(name),)
    return max(_mix(answer, name), _mix(*joined))


def _mix(answer: tuple[str, ...], name: tuple[str, ...]) -> float:
    return TOKEN_WEIGHT * _token_set(answer, name) + (1 - TOKEN_WEIGHT) * _chars(answer, name)


def _token_set(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """A soft Dice coefficient of two word sets: each word counts by its length, times its similarity to
    the closest word on the other side (0 below TOKEN_FLOOR). Extra words on either side lower it."""
    a_set, b_set = set(a), set(b)

    def covered(words: set[str], others: set[str]) -> float:
        total = 0.0
        for w in words:
            closest = max(Indel.normalized_similarity(w, o) for o in others)
            total += len(w) * (closest if closest >= TOKEN_FLOOR else 0.0)
        return total

    weight = sum(map(len, a_set)) + sum(map(len, b_set))
    return (covered(a_set, b_set) + covered(b_set, a_set)) / weight


def _chars(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Character similarity of the two word runs, spaces ignored ("nightledger" is "night ledger")."""
    return Indel.normalized_similarity("".join(a), "".join(b))


def dedupe(signals: Iterable[Signal]) -> list[Signal]:
    """One signal per (conversion_id, campaign_id): the first kind in PRECEDENCE, then the latest
    occurred_at, then the smallest source_event_id. Sorted by conversion_id, campaign_id; the result does
    not depend on the order of `signals`."""
    kept: dict[tuple[str, str], Signal] = {}
    for signal in signals:
        key = (signal.conversion_id, signal.campaign_id)
        current = kept.get(key)
        if current is None or _beats(signal, current):
            kept[key] = signal
    return [kept[key] for key in sorted(kept)]


def _beats(new: Signal, old: Signal) -> bool:
    if _RANK[new.kind] != _RANK[old.kind]:
        return _RANK[new.kind] < _RANK[old.kind]
    if new.occurred_at != old.occurred_at:
        return new.occurred_at > old.occurred_at
    return new.source_event_id < old.source_event_id
