"""Where an ad begins and ends, on cue boundaries (see detect.py for the whole method)."""

from __future__ import annotations

from earmark.ai.adreads.brands import fold
from earmark.ai.adreads.classify import named_in
from earmark.ai.adreads.episode import Episode, evidence, pitch, promotes
from earmark.ai.adreads.model import Segment
from earmark.ai.adreads.urls import url_stem

MAX_AD_S = 240.0  # a host read with its ad-libs rarely runs past four minutes
MAX_BACK_S = 45.0  # how far before its anchor an untitled spot may start
GAP_BEFORE_ANCHOR_S = 75.0  # an opened read may tell a story before its call to action
OPENED_WAIT_S = 120.0  # and may go this long after it last named its brand before asking for anything
GAP_AFTER_ANCHOR_S = 25.0  # after the call to action, silence on the ad ends it
HANDOFF_CUES = 2  # a host's transition hands over to an announcer within this many cues
BRIDGE_CUES = 2  # cues without ad language an ad may hold between two that have it
BREAK_BACK_S = 75.0  # how far back a host's "let's take a break" still starts the ad after it


def start_before(ep: Episode, anchor: int) -> int:
    """Walk back from an anchor to the first cue of its ad: over ad language (with short bridges), never
    over the conversation's return, a credit, a change between the show's voice and another, a cue the host
    was cut off in (the spot starts after it), or a break the host announced (the ad starts after it)."""
    cues, feats = ep.cues, ep.feats
    start = anchor
    bridge = 0
    k = anchor - 1
    while k >= 0 and not ep.taken[k] and cues[anchor].start_s - cues[k].start_s <= MAX_BACK_S:
        fk = feats[k]
        if fk.only_music or fk.ret or fk.credits or (fk.break_ and not fk.opener):
            break
        if ep.voice(k) != ep.voice(start):
            break
        if fk.opener:
            return k
        if pitch(ep, k) or ep.minor(k):
            start, bridge = k, 0
            if fk.soft_opener:
                break
        else:
            bridge += 1
            if bridge > BRIDGE_CUES:
                break
        if k > 0 and ep.cut(k - 1):
            # the host was cut off at the end of cue k-1: a stitched-in spot starts at k
            if bridge:
                start = k
            break
        k -= 1
    return _sentence_start(ep, _after_break(ep, start))


def _sentence_start(ep: Episode, start: int) -> int:
    """A caption file wraps a sentence over cues: the ad starts where the sentence of its first cue does."""
    k = start
    while k > 0 and start - k < 2 and not ep.taken[k - 1] and not ep.feats[k - 1].ends_sentence \
            and not ep.cut(k - 1) and ep.voice(k - 1) == ep.voice(start):
        k -= 1
    return k


def _after_break(ep: Episode, start: int) -> int:
    """A host read that begins with a story: when the host announced a break shortly before, with only the
    same voice between, the ad starts right after the announcement."""
    k = start - 1
    while k >= 0 and not ep.taken[k] and ep.cues[start].start_s - ep.cues[k].start_s <= BREAK_BACK_S:
        f = ep.feats[k]
        if f.break_:
            return k + 1
        if f.ret or f.credits or f.only_music or ep.voice(k) != ep.voice(start):
            break
        k -= 1
    return start


def grow(ep: Episode, start: int, opened: bool) -> Segment:
    cues, feats = ep.cues, ep.feats
    segment = Segment(start, start)
    brands = {m.brand.name for m in ep.mentions[start]}
    anchored = feats[start].anchor
    last = start
    voice = next((ep.voice(k) for k in range(start, min(start + 3, len(cues))) if ep.voice(k) is not None),
                 None)
    named = _opener_brand(ep, start) if opened else None
    cut_in = start > 0 and ep.cut(start - 1)
    named_at = start  # the last cue that named the brand or asked for something
    j = start + 1
    while j < len(cues):
        f = feats[j]
        if f.ret or f.credits or ep.taken[j] or f.opener:  # the conversation again, or the next sponsor
            break
        if cut_in and f.resumes:
            break  # the host picks up the sentence the inserted spot cut off ("—England. To Coventry.")
        if cues[j].end_s - cues[start].start_s > MAX_AD_S:
            break
        if opened and not anchored and cues[j].start_s - cues[named_at].end_s > OPENED_WAIT_S:
            break  # a transition with no call to action in sight was talk ("we're sponsored by Gus's")
        if f.only_music:
            if anchored:
                break  # the bed after a spot closes it (and may open the next)
            j += 1
            continue
        if ep.voice(j) is not None and voice is not None and ep.voice(j) != voice \
                and _voice_changed(ep, start, last, j, anchored):
            break
        if anchored and _next_spot(ep, j, brands):
            break
        gap = cues[j].start_s - cues[last].end_s
        if evidence(ep, j) or (named and named in fold(cues[j].text)):
            named_at = j
        if evidence(ep, j) or pitch(ep, j) or (ep.minor(j) and voice) or (named and named in fold(
                cues[j].text)):
            last = j
            anchored = anchored or f.anchor or (bool(f.cta) and (opened or promotes(ep, j)))
            brands |= {m.brand.name for m in ep.mentions[j]}
        elif gap > (GAP_AFTER_ANCHOR_S if anchored else GAP_BEFORE_ANCHOR_S):
            break
        j += 1
    # a code or URL said over two cues ends in the next one
    if feats[last].spills and last + 1 < len(cues) and not ep.taken[last + 1]:
        last += 1
    # an inserted spot's tag line: the cue before the host resumes mid-sentence
    if (last + 2 < len(cues) and not ep.taken[last + 1] and feats[last + 2].starts_lower
            and ep.voice(last + 1) == ep.voice(last) and not feats[last + 1].ret
            and ep.voice(last + 2) != ep.voice(last)):
        last += 1
    segment.last = last
    segment.opened = opened
    return segment


def _voice_changed(ep: Episode, start: int, last: int, j: int, anchored: bool) -> bool:
    """A change between the show's voice and another ends the segment, except a host's transition handed
    to an announcer right after it."""
    handoff = not ep.minor(last) and ep.minor(j) and j - start <= HANDOFF_CUES and not anchored
    return not handoff


def _next_spot(ep: Episode, j: int, brands: set[str]) -> bool:
    """After a complete spot, a cue that starts another: a different catalog brand, or a spot's opening
    line right after a call to action."""
    f = ep.feats[j]
    named = {m.brand.name for m in ep.mentions[j]}
    if named and not (named & brands) and (f.anchor or f.cta or f.soft_opener):
        return True
    return bool(f.soft_opener and ep.feats[j - 1].anchor and not (named & brands))


def _opener_brand(ep: Episode, i: int) -> str | None:
    """The folded first word(s) of the name after a sponsor transition, to follow the read by."""
    name = named_in(ep.cues[i].text)
    if not name:
        return None
    words = name.split()
    key = fold(words[0]) if len(fold(words[0])) >= 5 or len(words) == 1 else fold(" ".join(words[:2]))
    return key if len(key) >= 4 else None


def spots(ep: Episode, segment: Segment) -> list[Segment]:
    """Back-to-back spots with no transition between them are one run of ad language: split it where one
    brand's last cue is followed by another brand's, each brand known by its catalog name or by the URL
    it gives (and the words of the segment that spell that URL's name)."""
    first, last = segment.first, segment.last
    stems = {url_stem(u.value) for k in range(first, last + 1) for u in ep.feats[k].urls or ()}
    stems = {s for s in stems if len(s) >= 4}

    def brands_of(k: int) -> set[str]:
        found = {fold(m.brand.name) for m in ep.mentions[k]}
        found |= {url_stem(u.value) for u in ep.feats[k].urls or ()}
        words = fold(ep.cues[k].text)
        found |= {stem for stem in stems if stem in words or stem[:max(5, len(stem) // 2)] in words}
        return {_canonical(b, stems) for b in found}

    parts: list[Segment] = []
    current: set[str] = set()
    part_first, keyed, anchored = first, None, False
    for k in range(first, last + 1):
        named = brands_of(k)
        # a new brand after a complete spot: the spot before ends with its brand's last cue and the legal
        # tags after it; a spot that named no brand (a cross-promo's title, a podcast) ends before it
        if named and anchored and not (named & current):
            end = keyed if keyed is not None else k - 1
            while end + 1 < k and ep.feats[end + 1].legal:
                end += 1
            if end >= part_first:
                parts.append(Segment(part_first, end, segment.opened if not parts else False))
                part_first, current, anchored = end + 1, set(), False
        if named:
            current |= named
            keyed = k
        anchored = anchored or ep.feats[k].anchor or bool(ep.feats[k].cta)
    if not parts:
        return [segment]
    parts.append(Segment(part_first, last, False))
    return parts


def _canonical(brand: str, stems: set[str]) -> str:
    """A brand's mention and its URL are one brand: 'copperbeam' and 'copperbeamsolar'."""
    for stem in stems:
        if brand != stem and (stem.startswith(brand) or brand.startswith(stem)):
            return min(stem, brand)
    return brand


BRACKET_MIN_S, BRACKET_MAX_S = 8.0, 75.0  # how long one produced spot between two music beds runs


def bracketed(ep: Episode) -> list[Segment]:
    """Runs of cues between two music cues (or a music cue and the host's return) in no other voice than an
    announcer's: in a produced break, each such run is one spot. Only candidates: acceptance decides."""
    found: list[Segment] = []
    music = [k for k, f in enumerate(ep.feats) if f.only_music]
    for before, after in zip(music, music[1:], strict=False):
        first, last = before + 1, after - 1
        if first > last or any(ep.taken[k] for k in range(first, last + 1)):
            continue
        span = ep.cues[last].end_s - ep.cues[first].start_s
        if not BRACKET_MIN_S <= span <= BRACKET_MAX_S:
            continue
        if ep.has_speakers and not all(ep.minor(k) for k in range(first, last + 1)):
            continue  # the show's own voices talk between its jingles
        if any(ep.feats[k].ret or ep.feats[k].credits for k in range(first, last + 1)):
            continue
        selling = any(ep.feats[k].legal or ep.feats[k].offer or ep.feats[k].anchor
                      for k in range(first, last + 1))
        if not (selling or _in_a_break(ep, before, after)):
            continue  # music between a news show's stories, a theme before the talk
        found.append(Segment(first, last))
    return found


def _in_a_break(ep: Episode, before: int, after: int) -> bool:
    """The music beds belong to an ad break: the host announced it, or another ad sits right next to them,
    or they open the episode (a pre-roll)."""
    k = before - 1
    while k >= 0 and ep.feats[k].only_music:
        k -= 1
    if k < 0 or ep.taken[k] or ep.feats[k].break_ or (k > 0 and ep.feats[k - 1].break_):
        return True
    j = after + 1
    while j < len(ep.feats) and ep.feats[j].only_music:
        j += 1
    return j < len(ep.feats) and ep.taken[j]
