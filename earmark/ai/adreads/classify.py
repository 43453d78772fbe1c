"""What a detected ad segment is: its kind, its brand, its codes and URLs, its position and how sure we are.

Kinds, by what marks them in a transcript:
- cross_promo: another podcast promoted ("wherever you get your podcasts", a partner podcast's name);
- self_promo: the show's own membership, merch, tour, newsletter or bonus feed, or its own name;
- dynamic_insert: a spot stitched in: it cuts the host off mid-sentence (or the host resumes mid-sentence
  after it) and never names the show or its hosts;
- produced: an announcer's voice, music beds, legal tags;
- host_read: the host in their own voice, which is what is left.
The brand is the catalog's canonical name when the segment names one (by name, alias or its URL's domain),
else the name the segment gives it (the words after "brought to you by", the capitalised words its URL
spells, or the title a cross-promo asks you to listen to).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from earmark.ai.adreads.brands import Brand, fold
from earmark.ai.adreads.model import AdRead, Context, Segment
from earmark.ai.adreads.spoken import wordset
from earmark.ai.adreads.urls import PLATFORMS, url_stem

if TYPE_CHECKING:
    from earmark.ai.adreads.episode import Episode
    from earmark.ai.transcripts import Transcript

PRE_BEFORE, POST_FROM = 0.10, 0.90  # of the episode's duration (the end of its last cue)

# A run of capitalised words (with the small words names hold); a dot only inside a word ("Bright.ly"), so
# that a run never crosses the end of a sentence.
_WORD_OF_NAME = r"[A-Z0-9][\w'’&+-]*(?:\.[A-Za-z0-9][\w'’&+-]*)*"
_NAME = rf"(?:{_WORD_OF_NAME})(?:\s+(?:{_WORD_OF_NAME}|&|and|of|the|in|on|de|la|du))*"
_BRAND_AFTER = re.compile(
    r"\b(?:brought to you by|sponsored by|supported by|presented by|powered by|made possible by|"
    r"underwritten by|comes from|thanks to|thank you to|partner(?:ed)? with|(?:friends|folks|people|team)"
    r" (?:over )?at|sponsor(?: today)? is|partner is|meet|introducing|try|with)\s+(?:our (?:friends|pals|"
    r"partners) (?:at|over at) |the (?:folks|people|team) at )?(" + _NAME + ")")
_TITLE_AFTER = re.compile(
    r"\b(?:check out|listen to|subscribe to|search for|follow|find|called|host of|hosts of|from the "
    r"makers of)\s+(?:the (?:new )?(?:podcast|show) )?[\"“']?(" + _NAME + ")")
_CAPITALISED = re.compile(_NAME)
# The words of a trade that end many brand names ("Tidewell Solar", "Dreamgum Mattresses").
TRADE_WORDS = wordset(
    "insurance solar energy power mattresses mattress health mobile wireless broadband internet bank banking "
    "credit union coffee tea travel outdoor outdoors supply supplies company co labs foods food meals "
    "kitchen games studio studios pet pets wines wine brewing brewery books audio fitness finance financial "
    "money media motors cycles bikes shoes apparel goods skincare beauty care dental clinic pharmacy loans "
    "realty homes home bakery roasters tax legal learning education language languages maths math "
    "software cloud security vpn payroll accounting shop store market garden gardens seed seeds farms "
    "warranty warranties protection services service systems group works")
_NOT_NAMES = wordset(
    "i i'm i've it it's this that the a an and so but if when what we you your our my he she they "
    "there here now today go head visit use code promo okay ok yeah well look hey hi just plus also "
    "then because right or search try get download meet introducing call order shop book join grab "
    "find check sign start save enjoy discover switch compare bring wear pick make fed sick tired with from "
    "at by for on in to")


def describe(segment: Segment, transcript: Transcript, context: Context, ep: Episode,
             kind: str | None = None) -> AdRead:
    cues = transcript.cues[segment.first:segment.last + 1]
    feats = ep.feats[segment.first:segment.last + 1]
    text = " ".join(c.text for c in cues)
    codes = tuple(dict.fromkeys(c.value for f in feats for c in (f.codes or ())))
    urls = tuple(dict.fromkeys(u.value for f in feats for u in (f.urls or ())))
    evidence: list[str] = []
    for f in feats:
        if f.opener:
            evidence.append(f.opener)
        evidence += [c.phrase for c in f.codes or ()] + [u.phrase for u in f.urls or ()]
        evidence += list(f.cta or ())[:2]
    found, why = _kind(segment, ep, context, text, urls)
    kind = kind or found
    evidence += why
    brand, advertiser_id = _brand(segment, ep, context, kind, text, urls)
    start_s, end_s = cues[0].start_s, cues[-1].end_s
    return AdRead(
        start_s=start_s, end_s=end_s, first_cue=segment.first, last_cue=segment.last, kind=kind,
        brand=brand, advertiser_id=advertiser_id, promo_codes=codes, vanity_urls=urls,
        position=position(start_s, transcript.duration_s),
        confidence=_confidence(segment, feats, advertiser_id is not None, ep),
        evidence=tuple(dict.fromkeys(e.strip() for e in evidence if e.strip()))[:12],
        url_mentions=sum(len(f.urls or ()) for f in feats), cta=any(f.cta for f in feats),
        url_counts=tuple(Counter(u.value for f in feats for u in f.urls or ()).items()),
    )


def position(start_s: float, duration_s: float) -> str:
    if duration_s <= 0 or start_s < PRE_BEFORE * duration_s:
        return "pre"
    return "post" if start_s >= POST_FROM * duration_s else "mid"


def _kind(segment: Segment, ep: Episode, context: Context, text: str, urls: tuple[str, ...]
          ) -> tuple[str, list[str]]:
    feats = ep.feats[segment.first:segment.last + 1]
    brands = [m.brand for k in range(segment.first, segment.last + 1) for m in ep.mentions[k]]
    kinds = Counter(_brand_kind(b, context) for b in brands)
    names_show = _names_show(text, context)
    podcast = sum(f.podcast for f in feats)
    self_promo = sum(f.self_promo for f in feats)
    commercial = any(f.codes or f.offer for f in feats) or kinds["advertiser"] > 0
    # "Small Fry Hours is sponsored by Thistlecrate": a sponsor named by the transition is not the show
    sponsor = named_in(ep.cues[segment.first].text) if segment.opened else None
    if sponsor and not _names_show(sponsor, context) and not any(
            fold(b.name) == fold(sponsor) and b.kind != "advertiser" for b in brands):
        commercial = True
        kinds["advertiser"] += 1
    if kinds["partner_podcast"] and kinds["partner_podcast"] >= kinds["advertiser"]:
        return "cross_promo", ["a partner podcast"]
    if kinds["own_show"] and kinds["own_show"] >= kinds["advertiser"]:
        return "self_promo", ["the show's own brand"]
    if self_promo >= 1 and (names_show or self_promo >= 2 or not commercial) and not kinds["advertiser"]:
        return "self_promo", ["the show's own offer"]
    if podcast >= 2 and not commercial and not names_show:
        return "cross_promo", ["another podcast promoted"]
    first, last = segment.first, segment.last
    cut_in = first > 0 and ep.cut(first - 1)
    cut_out = last + 1 < len(ep.cues) and ep.feats[last + 1].starts_lower and ep.cut(last) is False
    minor = [ep.minor(k) for k in range(first, last + 1)]
    voice_minor = ep.has_speakers and sum(minor) * 2 > len(minor)
    # a produced spot's marks: legal tags, music in it or a music bed right before or after it
    bedded = (first > 0 and ep.feats[first - 1].only_music) or (last + 1 < len(ep.feats)
                                                              and ep.feats[last + 1].only_music)
    produced_marks = any(f.music or f.legal for f in feats) or bedded
    introduced = segment.opened or _in_a_break(ep, first)
    if (cut_in or cut_out) and not names_show and not segment.opened:
        return "dynamic_insert", ["cuts into the conversation mid-sentence"]
    if voice_minor:
        if introduced or produced_marks or names_show:
            return "produced", ["an announcer's voice"]
        return "dynamic_insert", ["another voice, not introduced by the host"]
    if produced_marks and not sum(f.first_person for f in feats) >= 2:
        return "produced", ["music or legal tags"]
    return "host_read", ["read by the host"]


def _brand_kind(brand: Brand, context: Context) -> str:
    """A catalog show is the episode's own (self-promotion) or a sister show (cross-promotion)."""
    if brand.kind != "show":
        return brand.kind
    own = context.show_title is not None and fold(brand.name) == fold(context.show_title)
    return "own_show" if own else "partner_podcast"


def _in_a_break(ep: Episode, first: int) -> bool:
    """The host opened a break before this spot: back over the spots and music before it, to the
    conversation, whose last two cues announce the break (or the first spot was a sponsor transition)."""
    k = first - 1
    while k >= 0 and (ep.taken[k] or ep.feats[k].only_music):
        if ep.feats[k].opener or ep.feats[k].break_:
            return True
        k -= 1
    return any(ep.feats[j].break_ or ep.feats[j].opener for j in range(max(0, k - 1), k + 1))


def _names_show(text: str, context: Context) -> bool:
    lowered = fold(text)
    names = [context.show_title or ""] + [h.split()[0] for h in context.hosts if h.split()]
    return any(len(fold(n)) >= 4 and fold(n) in lowered for n in names)


def _brand(segment: Segment, ep: Episode, context: Context, kind: str, text: str, urls: tuple[str, ...]
           ) -> tuple[str | None, str | None]:
    found = _catalog_brand(segment, ep, context, kind, urls)
    if found is not None:
        return found.name, found.advertiser_id
    if kind == "self_promo":
        own = context.catalog.by_kind("own_show")
        if context.show_title:
            return context.show_title, next((b.advertiser_id for b in own if fold(b.name) == fold(
                context.show_title)), None)
    if kind == "cross_promo":
        title = _TITLE_AFTER.search(text)
        if title:
            return _trim(title.group(1)), None
    named = _named(text, urls)
    return named, None


def _catalog_brand(segment: Segment, ep: Episode, context: Context, kind: str, urls: tuple[str, ...]
                   ) -> Brand | None:
    catalog = context.catalog
    score: Counter[str] = Counter()
    by_name: dict[str, Brand] = {}
    for k in range(segment.first, segment.last + 1):
        for m in ep.mentions[k]:
            weight = 2 if ep.feats[k].opener else 1
            score[m.brand.name] += weight
            by_name[m.brand.name] = m.brand
    for url in urls:
        brand = catalog.by_domain(url)
        if brand is not None:
            score[brand.name] += 3
            by_name[brand.name] = brand
    wanted = {"cross_promo": "partner_podcast", "self_promo": "own_show"}.get(kind)
    if wanted:
        preferred = [n for n in score if _brand_kind(by_name[n], context) == wanted]
        if preferred:
            return by_name[max(preferred, key=lambda n: score[n])]
    if not score:
        return None
    return by_name[score.most_common(1)[0][0]]


def _named(text: str, urls: tuple[str, ...]) -> str | None:
    """The brand the segment names, without a catalog."""
    names = [_trim(m.group(1)) for m in _BRAND_AFTER.finditer(text)]
    names = [n for n in names if n and n.lower() not in _NOT_NAMES]
    for url in urls:
        stem = url_stem(url)
        runs = names + [_trim(m.group(0)) for m in _CAPITALISED.finditer(text)]
        candidates = [n for n in (_spelled_name(r, stem) for r in runs if r) if n]
        if candidates:
            # the fullest spelling the segment gives: "Gorsefield Outdoor" over "Gorsefield"
            return max(candidates, key=lambda c: (len(c.split()), candidates.count(c)))
        if stem and stem not in PLATFORMS:
            return stem.capitalize()
    if names:
        return Counter(names).most_common(1)[0][0]
    # the name the segment repeats; a run counts for its first word too ("Gallowglass: Siege of Hours",
    # "Search Gallowglass in the App Store" both name Gallowglass)
    counts: Counter[str] = Counter()
    for m in _CAPITALISED.finditer(text):
        run = _trim(m.group(0))
        if not run or run.lower() in _NOT_NAMES:
            continue
        counts[run] += 1
        head = run.split()[0]
        if head != run and len(head) >= 4 and head.lower() not in _NOT_NAMES:
            counts[head] += 1
    repeated = [(c, len(n.split()), n) for n, c in counts.items() if c >= 2]
    return max(repeated)[2] if repeated else None


def _spelled_name(run: str, stem: str) -> str | None:
    """The brand name in a run of capitalised words whose first words spell the URL's name: the shortest
    start that spells all of it (else the longest that spells its beginning), then the words of a trade
    that follow ("Ostara Travel Insurance" for ostaracover.com, "Halfpenny" out of "Halfpenny Plus" for
    halfpenny.com, "Moyle Credit Union" for moylecu.com.au). None when the run does not spell the URL."""
    words = run.split()
    heads = [" ".join(words[:size]) for size in range(1, min(4, len(words)) + 1)]
    covering = [h for h in heads if _covers(h, stem) or _abbreviates(words, len(h.split()), stem)]
    starting = [h for h in heads if len(fold(h)) >= 3 and _starts(h, stem)]
    head = covering[0] if covering else (starting[-1] if starting else None)
    if head is None:
        return None
    tail = []
    for word in words[len(head.split()):][:2]:
        if word.lower().rstrip(".") not in TRADE_WORDS:
            break
        tail.append(word)
    return " ".join([head, *tail])


def _spellings(name: str) -> set[str]:
    return {fold(name), fold(name.replace("&", "and")), fold(re.sub(r"^the\s+", "", name, flags=re.I))}


def _covers(name: str, stem: str) -> bool:
    return any(f == stem or (f.startswith(stem) and len(stem) >= 4) for f in _spellings(name))


def _starts(name: str, stem: str) -> bool:
    return any(stem.startswith(f) for f in _spellings(name))


def _abbreviates(words: list[str], size: int, stem: str) -> bool:
    """moylecu: the first word and the initials of the next ("Moyle Credit Union")."""
    return len(words) > size and fold(" ".join(words[:size])) + "".join(
        w[0].lower() for w in words[size:size + 3]) == stem


_TITLE = r"((?:The\s+)?[A-Z][\w'’]*(?:\s+(?:[A-Z][\w'’]*|&|and|of|the|in)){0,4})"
_SHOW_SAID = re.compile(
    r"\b(?i:welcome (?:back )?to|you're listening to|you are listening to)\s+" + _TITLE
    + r"|\b(?i:this is|and this is)\s+" + _TITLE + r"[,.;]?\s+(?:I'm|I am|and I'm|with|my name is)\b")
INTRO_CUES = 12  # a show says its name in its first minutes


def show_title_said(transcript: Transcript) -> str | None:
    """The show's name as its host says it in the opening cues, or None."""
    for cue in transcript.cues[:INTRO_CUES]:
        for m in _SHOW_SAID.finditer(cue.text):
            title = _trim(m.group(1) or m.group(2))
            if len(title.split()) >= 1 and fold(title) and title.lower() not in _NOT_NAMES \
                    and title.split()[0] not in ("I", "I'm", "It's", "This"):
                return title
    return None


def named_in(text: str) -> str | None:
    """The name a sponsor transition gives ("brought to you by Cindertrack" -> "Cindertrack")."""
    for m in _BRAND_AFTER.finditer(text):
        name = _trim(m.group(1))
        if name and name.lower() not in _NOT_NAMES:
            return name
    return None


def _trim(name: str) -> str:
    """'Dormio. Dormio' -> 'Dormio'; drop a trailing connective and sentence punctuation."""
    name = re.split(r"[.,!?;:](?:\s|$)", name.strip())[0].strip()
    words = name.split()
    while words and words[-1].lower() in ("and", "of", "the", "&", "de", "la", "du", "in", "on"):
        words.pop()
    # "The" opens many names ("The Crumb Tray"); other small words in front are the sentence's
    while words and words[0].lower() in _NOT_NAMES and not (words[0] == "The" and len(words) > 1):
        words.pop(0)
    return " ".join(words[:4]).strip(" .,'’\"")


def _confidence(segment: Segment, feats, in_catalog: bool, ep: Episode) -> float:
    """How sure the detector is, from the evidence it has: what only an ad says (a transition, a code, a
    URL, a catalog brand, a call to action with an offer or a legal tag), and edges the break itself marks
    (the host's return, a music bed, the other voice, a cut). A read with little of it, such as a spot that
    only repeats a name between two jingles, stays under the refinement threshold (refine.REFINE_BELOW)."""
    first, last = segment.first, segment.last
    score = 0.2
    score += 0.3 if segment.opened else 0.0
    score += 0.2 if any(f.codes for f in feats) else 0.0
    score += 0.2 if any(f.urls for f in feats) else 0.0
    score += 0.15 if in_catalog else 0.0
    score += 0.05 if any(f.cta for f in feats) else 0.0
    score += 0.05 if any(f.offer or f.legal for f in feats) else 0.0
    score += 0.1 if any(f.podcast or f.self_promo for f in feats) and any(f.cta for f in feats) else 0.0
    before, after = first - 1, last + 1
    marked = (after < len(ep.feats) and (ep.feats[after].ret or ep.feats[after].only_music)) or (
        before >= 0 and (ep.feats[before].only_music or ep.feats[before].break_ or ep.cut(before)))
    score += 0.1 if marked else 0.0
    return round(min(0.99, score), 2)
