"""Ad-read detection: the ad segments of one episode, on cue boundaries, with kind, brand, codes, URLs,
position, a confidence and the phrases that decided.

How a segment is found (the structure of podcast breaks, not of any one set of transcripts):
1. Every cue is read for ad language (earmark.adreads.features) and catalog brands (brands.py).
2. A segment opens at a sponsor transition ("this episode is brought to you by ..."), or around an
   anchor the conversation never has (a spoken code, a vanity URL, a call to action with an offer). Without
   a transition, its start is found by walking back from the anchor over the same voice and ad language,
   stopping at a speaker change, a cue the host was cut off in (a stitched-in spot), or the conversation.
3. It grows while the ad goes on, and stops before the return to the conversation ("okay, we're back"),
   the next sponsor's transition, a change of voice after a complete spot, or a long run without ad
   language after its last call to action; it ends on its last cue of ad language.
4. A segment with nothing but talk (a transition and no call to action, a guest's website alone) is
   dropped: hosts talk about brands, prices and advertising all the time.
5. Kind, brand, codes and URLs are read off the segment (classify.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from earmark.ai.adreads.brands import Mention, fold
from earmark.ai.adreads.classify import Context, Segment, describe, named_in
from earmark.ai.adreads.features import CueFeatures, cue_features
from earmark.ai.transcripts import Cue, Transcript

MAX_AD_S = 240.0  # a host read with its ad-libs rarely runs past four minutes
MAX_BACK_S = 45.0  # how far before its anchor an untitled spot may start
GAP_BEFORE_ANCHOR_S = 75.0  # an opened read may tell a story before its call to action
GAP_AFTER_ANCHOR_S = 25.0  # after the call to action, silence on the ad ends it
MIN_AD_S = 4.0
SENTENCE_CUES = 0.85  # share of cues ending a sentence from which a file is taken to cue by sentence
HANDOFF_CUES = 2  # a host's transition hands over to an announcer within this many cues
ANNOUNCER_NAMES = ("announcer", "narrator", "voiceover", "voice over", "vo", "ad", "advert", "commercial",
                   "spot", "promo", "sponsor", "unknown", "speaker")
MAJOR_SHARE = 0.12  # a speaker with this share of the episode's words is part of the show


@dataclass(frozen=True)
class AdRead:
    start_s: float
    end_s: float
    first_cue: int
    last_cue: int
    kind: str
    brand: str | None
    advertiser_id: str | None
    promo_codes: tuple[str, ...]
    vanity_urls: tuple[str, ...]
    position: str
    confidence: float
    evidence: tuple[str, ...]
    url_mentions: int = 0  # how many times the segment says a URL (a repeat is the host's second ask)
    cta: bool = False  # a call to action was said
    analyzer: str = "earmark-local"  # who decided: the local detector, or "provider:model" that refined it


@dataclass
class _Episode:
    cues: Sequence[Cue]
    feats: list[CueFeatures]
    mentions: list[list[Mention]]
    major: frozenset[str]
    has_speakers: bool
    taken: list[bool] = field(default_factory=list)
    # Does the file end its cues on sentences? Caption files wrap sentences over cues, so there only a dash
    # or an ellipsis says the host was cut off.
    sentence_cues: bool = True

    def cut(self, i: int) -> bool:
        """The host was cut off at the end of cue i (a stitched-in spot may follow)."""
        f = self.feats[i]
        return not f.only_music and (f.cut_off or (self.sentence_cues and not f.ends_sentence))

    def minor(self, i: int) -> bool:
        """The cue is spoken by a voice that is not the show's (an announcer, a stitched-in spot): in a
        transcript that names its speakers, one outside the show's, or none. Music has no voice."""
        if not self.has_speakers or self.feats[i].only_music:
            return False
        speaker = self.cues[i].speaker
        return speaker is None or speaker not in self.major

    def voice(self, i: int) -> bool | None:
        """Which side a cue's voice is on (True: not the show's), None for music."""
        return None if self.feats[i].only_music else self.minor(i)


def detect(transcript: Transcript, context: Context | None = None) -> list[AdRead]:
    context = context or Context()
    cues = transcript.cues
    if not cues:
        return []
    episode = _Episode(cues, [cue_features(c.text) for c in cues],
                       context.catalog.mentions_by_part([c.text for c in cues]),
                       _major_speakers(cues, context), any(c.speaker for c in cues))
    episode.taken = [False] * len(cues)
    episode.sentence_cues = sum(f.ends_sentence for f in episode.feats) >= SENTENCE_CUES * len(cues)
    segments: list[Segment] = []
    i = 0
    while i < len(cues):
        segment = _segment_at(episode, i)
        if segment is None:
            i += 1
            continue
        if _is_an_ad(episode, segment, context):
            for part in _spots(episode, segment):
                if part is segment or _is_an_ad(episode, part, context):
                    segments.append(part)
            for k in range(segment.first, segment.last + 1):
                episode.taken[k] = True
            i = segment.last + 1
        else:
            i += 1
    reads = []
    for segment in segments:
        read = describe(segment, transcript, context, episode)
        if read.kind in ("produced", "dynamic_insert"):
            wider = _with_music_before(episode, segment)
            if wider.first != segment.first:
                episode.taken[wider.first] = True
                read = describe(wider, transcript, context, episode, kind=read.kind)
        reads.append(read)
    return reads


def _major_speakers(cues: Sequence[Cue], context: Context) -> frozenset[str]:
    words: dict[str, int] = {}
    for cue in cues:
        if cue.speaker:
            words[cue.speaker] = words.get(cue.speaker, 0) + len(cue.text.split())
    total = sum(words.values()) or 1
    hosts = {h.lower() for h in context.hosts} | {h.split()[0].lower() for h in context.hosts if h.split()}
    major = set()
    for speaker, count in words.items():
        name = speaker.lower().strip()
        if name in ANNOUNCER_NAMES or name.rstrip("0123456789 ") in ANNOUNCER_NAMES:
            continue
        if count / total >= MAJOR_SHARE or name in hosts or name.split()[0] in hosts:
            major.add(speaker)
    return frozenset(major)


def _segment_at(ep: _Episode, i: int) -> Segment | None:
    f = ep.feats[i]
    if ep.taken[i]:
        return None
    if f.opener:
        return _grow(ep, i, opened=True)
    if f.anchor or _promotes(ep, i):
        return _grow(ep, _start_before(ep, i), opened=False)
    return None


def _promotes(ep: _Episode, i: int) -> bool:
    """A call to action for a podcast, the show itself or a catalog brand (no code or URL needed)."""
    f = ep.feats[i]
    if not f.cta:
        return False
    return bool(f.podcast or f.self_promo or ep.mentions[i])


def _evidence(ep: _Episode, i: int) -> bool:
    f = ep.feats[i]
    return bool(f.anchor or f.cta or f.offer or f.legal or f.opener or ep.mentions[i])


def _pitch(ep: _Episode, i: int) -> bool:
    """Ad copy without a call to action: a brand, an offer, a podcast or the show's own offer."""
    f = ep.feats[i]
    return bool(_evidence(ep, i) or f.soft_opener or f.self_promo or f.podcast)


BRIDGE_CUES = 2  # cues without ad language an ad may hold between two that have it
BREAK_BACK_S = 75.0  # how far back a host's "let's take a break" still starts the ad after it


def _start_before(ep: _Episode, anchor: int) -> int:
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
        if _pitch(ep, k) or ep.minor(k):
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


def _sentence_start(ep: _Episode, start: int) -> int:
    """A caption file wraps a sentence over cues: the ad starts where the sentence of its first cue does."""
    k = start
    while k > 0 and start - k < 2 and not ep.taken[k - 1] and not ep.feats[k - 1].ends_sentence \
            and not ep.cut(k - 1) and ep.voice(k - 1) == ep.voice(start):
        k -= 1
    return k


def _after_break(ep: _Episode, start: int) -> int:
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


def _with_music_before(ep: _Episode, segment: Segment) -> Segment:
    """The music bed that opens an announcer's or an inserted spot belongs to it (a host's read has none)."""
    first = segment.first
    if first > 0 and ep.feats[first - 1].only_music and not ep.taken[first - 1]:
        return Segment(first - 1, segment.last, segment.opened)
    return segment


def _grow(ep: _Episode, start: int, opened: bool) -> Segment:
    cues, feats = ep.cues, ep.feats
    segment = Segment(start, start)
    brands = {m.brand.name for m in ep.mentions[start]}
    anchored = feats[start].anchor
    last = start
    voice = next((ep.voice(k) for k in range(start, min(start + 3, len(cues))) if ep.voice(k) is not None),
                 None)
    named = _opener_brand(ep, start) if opened else None
    named_at = start  # the last cue that named the brand or asked for something
    j = start + 1
    while j < len(cues):
        f = feats[j]
        if f.ret or f.credits or ep.taken[j] or f.opener:  # the conversation again, or the next sponsor
            break
        if cues[j].end_s - cues[start].start_s > MAX_AD_S:
            break
        if opened and not anchored and cues[j].start_s - cues[named_at].end_s > GAP_BEFORE_ANCHOR_S:
            break  # a transition with no call to action in sight was talk ("we're sponsored by Gus's")
        if f.only_music:
            if anchored:
                break  # the bed after a spot closes it (and may open the next)
            j += 1
            continue
        if ep.voice(j) != voice and voice is not None and _voice_changed(ep, start, last, j, anchored):
            break
        if anchored and _next_spot(ep, j, brands):
            break
        gap = cues[j].start_s - cues[last].end_s
        if _evidence(ep, j) or (named and named in fold(cues[j].text)):
            named_at = j
        if _evidence(ep, j) or _pitch(ep, j) or (ep.minor(j) and voice) or (named and named in fold(
                cues[j].text)):
            last = j
            anchored = anchored or f.anchor or (bool(f.cta) and (opened or _promotes(ep, j)))
            brands |= {m.brand.name for m in ep.mentions[j]}
        elif gap > (GAP_AFTER_ANCHOR_S if anchored else GAP_BEFORE_ANCHOR_S):
            break
        j += 1
    # an inserted spot's tag line: the cue before the host resumes mid-sentence
    if (last + 2 < len(cues) and not ep.taken[last + 1] and feats[last + 2].starts_lower
            and ep.voice(last + 1) == ep.voice(last) and not feats[last + 1].ret
            and ep.voice(last + 2) != ep.voice(last)):
        last += 1
    segment.last = last
    segment.opened = opened
    return segment


def _names_its_url(ep: _Episode, first: int, last: int) -> bool:
    text = fold(" ".join(ep.cues[k].text for k in range(first, last + 1)))
    for k in range(first, last + 1):
        for url in ep.feats[k].urls or ():
            stem = fold(url.value.split("/")[0].rsplit(".", 1)[0].split(".")[-1])
            if len(stem) >= 5 and text.count(stem[:max(5, len(stem) // 2)]) >= 2:
                return True
    return False


def _spots(ep: _Episode, segment: Segment) -> list[Segment]:
    """Back-to-back spots with no transition between them are one run of ad language: split it where one
    brand's last cue is followed by another brand's, each brand known by its catalog name or by the URL
    it gives (and the words of the segment that spell that URL's name)."""
    first, last = segment.first, segment.last
    stems = {u.value.split("/")[0].rsplit(".", 1)[0].split(".")[-1]
             for k in range(first, last + 1) for u in ep.feats[k].urls or ()}
    stems = {fold(s) for s in stems if len(fold(s)) >= 4}

    def brands_of(k: int) -> set[str]:
        found = {fold(m.brand.name) for m in ep.mentions[k]}
        found |= {_stem(u.value) for u in ep.feats[k].urls or ()}
        words = fold(ep.cues[k].text)
        found |= {stem for stem in stems if stem in words or stem[:max(5, len(stem) // 2)] in words}
        return {_canonical(b, stems) for b in found}

    parts: list[Segment] = []
    current: set[str] = set()
    part_first, keyed, anchored = first, first, False
    for k in range(first, last + 1):
        named = brands_of(k)
        if named and current and not (named & current) and anchored:
            parts.append(Segment(part_first, keyed, segment.opened if not parts else False))
            part_first, current, anchored = keyed + 1, set(), False
        if named:
            current |= named
            keyed = k
        anchored = anchored or ep.feats[k].anchor
    if not parts:
        return [segment]
    parts.append(Segment(part_first, last, False))
    return parts


def _stem(url: str) -> str:
    """The name a URL spells: harborlinevpn.com/patch -> harborlinevpn, shop.lumen.coffee -> lumen."""
    return fold(url.split("/")[0].rsplit(".", 1)[0].split(".")[-1])


def _canonical(brand: str, stems: set[str]) -> str:
    """A brand's mention and its URL are one brand: 'copperbeam' and 'copperbeamsolar'."""
    for stem in stems:
        if brand != stem and (stem.startswith(brand) or brand.startswith(stem)):
            return min(stem, brand)
    return brand


def _opener_brand(ep: _Episode, i: int) -> str | None:
    """The folded first word(s) of the name after a sponsor transition, to follow the read by."""
    name = named_in(ep.cues[i].text)
    if not name:
        return None
    words = name.split()
    key = fold(words[0]) if len(fold(words[0])) >= 5 or len(words) == 1 else fold(" ".join(words[:2]))
    return key if len(key) >= 4 else None


def _voice_changed(ep: _Episode, start: int, last: int, j: int, anchored: bool) -> bool:
    """A change between the show's voice and another ends the segment, except a host's transition handed
    to an announcer right after it."""
    handoff = not ep.minor(last) and ep.minor(j) and j - start <= HANDOFF_CUES and not anchored
    return not handoff


def _next_spot(ep: _Episode, j: int, brands: set[str]) -> bool:
    """After a complete spot, a cue that starts another: a different catalog brand, or a spot's opening
    line right after a call to action."""
    f = ep.feats[j]
    named = {m.brand.name for m in ep.mentions[j]}
    if named and not (named & brands) and (f.anchor or f.cta or f.soft_opener):
        return True
    return bool(f.soft_opener and ep.feats[j - 1].anchor and not (named & brands))


def _is_an_ad(ep: _Episode, segment: Segment, context: Context) -> bool:
    """Only what an ad does: a call to action with something to act on. Talk about a brand, a price or
    advertising, a guest's own website, or a code someone mentions with "this is not a sponsorship" is not."""
    first, last = segment.first, segment.last
    feats = [ep.feats[k] for k in range(first, last + 1)]
    span = ep.cues[last].end_s - ep.cues[first].start_s
    if span < MIN_AD_S and not any(f.codes or f.urls for f in feats):
        return False
    around = range(max(0, first - 2), min(len(ep.feats), last + 3))
    if any(ep.feats[k].not_an_ad for k in around):
        return False
    if not segment.opened and any(f.about_ads for f in feats):
        return False
    codes = any(f.codes for f in feats)
    urls = any(f.urls for f in feats)
    actions = sum(1 for f in feats for c in (f.cta or ()) if "code" not in c.lower())
    offers = any(f.offer or f.legal for f in feats)
    named = any(m.brand.kind == "advertiser" for k in range(first, last + 1) for m in ep.mentions[k])
    promo = any(f.podcast or f.self_promo for f in feats) or any(
        m.brand.kind != "advertiser" for k in range(first, last + 1) for m in ep.mentions[k])
    if segment.opened:
        return bool(codes or urls or actions or offers)
    if codes:
        return bool(urls or offers or named or actions)
    if urls:
        # a spot in another voice, or one that names the brand its URL spells without "I" or "my" (a
        # guest's "find me at annaruiz.com" is first person)
        other_voice = ep.has_speakers and all(ep.minor(k) or ep.feats[k].only_music
                                              for k in range(first, last + 1))
        impersonal = sum(f.first_person for f in feats) == 0 and _names_its_url(ep, first, last)
        return bool(offers or named or actions or promo or other_voice or impersonal)
    return bool(actions and (offers or named or promo))
