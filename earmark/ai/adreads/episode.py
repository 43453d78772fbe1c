"""An episode as the detector reads it: each cue's ad language and catalog brands, which voices are the
show's, and which cues an ad has already taken."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from earmark.ai.adreads.brands import Mention
from earmark.ai.adreads.features import CueFeatures, cue_features
from earmark.ai.adreads.model import Context, Segment
from earmark.ai.transcripts import Cue, Transcript

SENTENCE_CUES = 0.85  # share of cues ending a sentence from which a file is taken to cue by sentence
ANNOUNCER_NAMES = ("announcer", "narrator", "voiceover", "voice over", "vo", "ad", "advert", "commercial",
                   "spot", "promo", "sponsor", "unknown", "speaker")
MAJOR_SHARE = 0.12  # a speaker with this share of the episode's words is part of the show


@dataclass
class Episode:
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
        # a comma goes on to the next cue; only a dash, an ellipsis, or (where cues end on sentences) a
        # last word without any punctuation ends mid-sentence
        return not f.only_music and (f.cut_off or (self.sentence_cues and f.bare_end))

    def minor(self, i: int) -> bool:
        """The cue is spoken by a voice that is not the show's (an announcer, a stitched-in spot): in a
        transcript that names its speakers, one outside the show's, or none. Music has no voice."""
        if not self.has_speakers or self.feats[i].only_sound:
            return False
        speaker = self.cues[i].speaker
        return speaker is None or speaker not in self.major

    def take(self, segment: Segment) -> None:
        for k in range(segment.first, segment.last + 1):
            self.taken[k] = True

    def voice(self, i: int) -> bool | None:
        """Which side a cue's voice is on (True: not the show's), None for music."""
        return None if self.feats[i].only_sound else self.minor(i)


def read_episode(transcript: Transcript, context: Context) -> Episode:
    cues = transcript.cues
    texts = [c.text for c in cues]
    episode = Episode(cues, [cue_features(text, texts[i - 1] if i else "", texts[i + 1] if i + 1 < len(texts)
                                          else "") for i, text in enumerate(texts)],
                      context.catalog.mentions_by_part([c.text for c in cues]),
                      major_speakers(cues, context), any(c.speaker for c in cues))
    episode.taken = [False] * len(cues)
    episode.sentence_cues = sum(f.ends_sentence for f in episode.feats) >= SENTENCE_CUES * len(cues)
    return episode


def major_speakers(cues: Sequence[Cue], context: Context) -> frozenset[str]:
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


def promotes(ep: Episode, i: int) -> bool:
    """A call to action for a podcast, the show itself or a catalog brand (no code or URL needed)."""
    f = ep.feats[i]
    if not f.cta:
        return False
    return bool(f.podcast or f.self_promo or ep.mentions[i])


def evidence(ep: Episode, i: int) -> bool:
    f = ep.feats[i]
    return bool(f.anchor or f.cta or f.offer or f.legal or f.opener or ep.mentions[i])


def pitch(ep: Episode, i: int) -> bool:
    """Ad copy without a call to action: a brand, an offer, a podcast or the show's own offer."""
    f = ep.feats[i]
    return bool(evidence(ep, i) or f.soft_opener or f.self_promo or f.podcast)
