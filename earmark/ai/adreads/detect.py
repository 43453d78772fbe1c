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

from dataclasses import replace

from earmark.ai.adreads.acceptance import is_an_ad
from earmark.ai.adreads.classify import describe, show_title_said
from earmark.ai.adreads.episode import Episode, promotes, read_episode
from earmark.ai.adreads.model import AdRead, Context, Segment
from earmark.ai.adreads.segments import bracketed, grow, spots, start_before
from earmark.ai.transcripts import Transcript

__all__ = ["AdRead", "Context", "detect"]


def detect(transcript: Transcript, context: Context | None = None, episode: Episode | None = None
           ) -> list[AdRead]:
    """The ad reads of a transcript; `episode` is its read_episode() when the caller has one already (the
    analysis counts the brands it found)."""
    context = context or Context()
    if not transcript.cues:
        return []
    if context.show_title is None:
        # an episode outside the catalog still says its show's name ("welcome to Bench Minutes")
        context = replace(context, show_title=show_title_said(transcript))
    episode = episode or read_episode(transcript, context)
    segments: list[Segment] = []
    i = 0
    while i < len(transcript.cues):
        segment = _segment_at(episode, i)
        if segment is None or not is_an_ad(episode, segment, context):
            i += 1
            continue
        segments += [part for part in spots(episode, segment)
                     if part is segment or is_an_ad(episode, part, context)]
        episode.take(segment)
        i = segment.last + 1
    # Spots a produced break holds between its music beds, that named nothing an anchor would catch.
    for segment in bracketed(episode):
        if is_an_ad(episode, segment, context, bracketed=True):
            segments.append(segment)
            episode.take(segment)
    return [describe(s, transcript, context, episode) for s in sorted(segments, key=lambda s: s.first)]


def _segment_at(ep: Episode, i: int) -> Segment | None:
    f = ep.feats[i]
    if ep.taken[i]:
        return None
    if f.opener:
        return grow(ep, i, opened=True)
    if f.anchor or promotes(ep, i):
        return grow(ep, start_before(ep, i), opened=False)
    return None
