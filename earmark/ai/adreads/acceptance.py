"""Which candidate segments are ads: only what does what an ad does."""

from __future__ import annotations

import re
from collections import Counter

from earmark.ai.adreads.brands import fold
from earmark.ai.adreads.episode import Episode
from earmark.ai.adreads.features import ASK
from earmark.ai.adreads.model import Context, Segment
from earmark.ai.adreads.spoken import wordset
from earmark.ai.adreads.urls import PLATFORMS, url_stem

MIN_AD_S = 4.0
_CAPITALISED_WORD = re.compile(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)?\b")
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+)([A-Z][a-z]+)")
# Capitalised words a spot says twice that are not names.
COMMON_WORDS = wordset("the this that your with from every when what there they their just only more "
                       "some will have here want need make made into over then than also just")


def is_an_ad(ep: Episode, segment: Segment, context: Context, bracketed: bool = False) -> bool:
    """Only what an ad does: a call to action with something to act on. Talk about a brand, a price or
    advertising, a guest's own website, a news story about a code, or a code someone mentions with "this is
    not a sponsorship" is not. A run between two music beds (`bracketed`) needs less: an offer, a legal tag,
    or a name it repeats."""
    first, last = segment.first, segment.last
    feats = [ep.feats[k] for k in range(first, last + 1)]
    span = ep.cues[last].end_s - ep.cues[first].start_s
    if span < MIN_AD_S and not any(f.codes or f.urls for f in feats):
        return False
    around = range(max(0, first - 2), min(len(ep.feats), last + 3))
    if any(ep.feats[k].not_an_ad for k in around):
        return False
    if first > 0 and any(ep.feats[k].asks_guest for k in range(max(0, first - 2), first)):
        return False  # "where can people find you?" is answered by the guest's own plug
    urls = [u for f in feats for u in f.urls or ()]
    actions = sum(1 for f in feats for c in (f.cta or ()) if "code" not in c.lower())
    asked = any(ASK.search(c) for f in feats for c in (f.cta or ()))  # "use code", "enter code"
    offers = any(f.offer or f.legal for f in feats)
    codes = any(f.codes for f in feats) and (asked or offers or actions > 0)  # not a code in a news story
    own_urls = [u for u in urls if u.value.split(".")[0] not in PLATFORMS]
    named = any(m.brand.kind == "advertiser" for k in range(first, last + 1) for m in ep.mentions[k])
    promo = any(f.podcast or f.self_promo for f in feats) or any(
        m.brand.kind != "advertiser" for k in range(first, last + 1) for m in ep.mentions[k])
    # talk about advertising ("the ads", "promo codes") makes a segment talk, unless it asks for a code or
    # gives a URL with an offer: a show's own tour plug may thank "the people who listen to the ads"
    strong = (codes and bool(urls)) or (bool(urls) and offers)
    if not segment.opened and not strong and any(f.about_ads for f in feats):
        return False
    if segment.opened:
        return bool(codes or urls or actions or offers)
    if bracketed:
        # a brand's voice: it says "we" and "you", never "I"
        pitched = sum(f.first_singular for f in feats) == 0
        return bool(codes or urls or actions or offers or named) or (
            pitched and _repeats_a_name(ep, first, last))
    if codes:
        return bool(urls or offers or named or actions)
    if own_urls:
        if offers or actions or promo:
            return True
        if sum(f.news for f in feats) >= 2:
            return False  # a news story that names the company's website
        if sum(f.first_singular for f in feats):
            return False  # a person on their own site or book ("it's all at anaruiz dot com, my book...")
        # a spot in another voice, or one that names the brand its URL spells (a brand says "we")
        other_voice = ep.has_speakers and all(ep.minor(k) or ep.feats[k].only_music
                                              for k in range(first, last + 1))
        return bool(named or promo or other_voice or _names_its_url(ep, first, last))
    if urls:  # only a platform's (github.com/..., patreon.com/...): the show's own page there, or nothing
        return bool(promo)
    return bool(actions and (offers or named or promo))


def _names_its_url(ep: Episode, first: int, last: int) -> bool:
    text = fold(" ".join(ep.cues[k].text for k in range(first, last + 1)))
    for k in range(first, last + 1):
        for url in ep.feats[k].urls or ():
            stem = url_stem(url.value)
            if len(stem) >= 5 and text.count(stem[:max(5, len(stem) // 2)]) >= 2:
                return True
    return False


def _repeats_a_name(ep: Episode, first: int, last: int) -> bool:
    """A spot says its brand at least twice ("Saltmarsh Supply Company ... Saltmarsh Supply Company.")."""
    names = [w for k in range(first, last + 1) for w in _CAPITALISED_WORD.findall(ep.cues[k].text)[1:]]
    names += [m.group(1) for k in range(first, last + 1) for m in _SENTENCE_START.finditer(ep.cues[k].text)]
    counts = Counter(n for n in names if len(n) >= 4 and n.lower() not in COMMON_WORDS)
    return any(c >= 2 for c in counts.values())
