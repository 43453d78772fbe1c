"""Sentiment of what is said in an episode, cue by cue and for the whole episode, with VADER.

VADER is a lexicon and rule model tuned for short informal text, which is what a cue is; its lexicon
ships inside the vaderSentiment package, so scoring needs no download and no model server.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from typing import Literal

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from earmark.ai.content.speech import is_sound, speech_text
from earmark.ai.transcripts.cues import Cue

METHOD = f"vader-{version('vaderSentiment')} compound (cue); word-weighted mean (episode)"

Label = Literal["positive", "neutral", "negative"]

# VADER's documented thresholds on the compound score.
POSITIVE_FROM = 0.05
NEGATIVE_FROM = -0.05


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    # Built on first use, once per process: it parses its two lexicon files (7,500 words and the emoji),
    # work that importing this module for its types alone should not do, and no call should repeat.
    return SentimentIntensityAnalyzer()


def label_of(compound: float) -> Label:
    if compound >= POSITIVE_FROM:
        return "positive"
    if compound <= NEGATIVE_FROM:
        return "negative"
    return "neutral"


@dataclass(frozen=True)
class CueSentiment:
    cue: Cue
    compound: float  # VADER's normalised score in [-1, 1]
    label: Label
    words: int  # spoken words, sound annotations left out: the cue's weight in the episode mean


@dataclass(frozen=True)
class EpisodeSentiment:
    # None when no cue holds speech: an episode of music alone has no sentiment, not a neutral one.
    compound: float | None
    label: Label | None
    # Shares of the speech cues (by count) in each label; all 0.0 when there are none.
    positive_share: float
    neutral_share: float
    negative_share: float
    cues: tuple[CueSentiment, ...]  # the speech cues, in transcript order

    @property
    def words(self) -> int:
        return sum(c.words for c in self.cues)


def cue_sentiments(cues: Sequence[Cue]) -> tuple[CueSentiment, ...]:
    """One score per speech cue, in order; sound cues ("[MUSIC]", "♪ ... ♪", "(laughs)") are skipped,
    and annotations inside a spoken cue are removed before scoring."""
    analyzer = _analyzer()
    scored = []
    for cue in cues:
        if is_sound(cue.text):
            continue
        speech = speech_text(cue.text)
        compound = analyzer.polarity_scores(speech)["compound"]
        scored.append(CueSentiment(cue, compound, label_of(compound), len(speech.split())))
    return tuple(scored)


def episode_sentiment(cues: Sequence[Cue]) -> EpisodeSentiment:
    """The episode's sentiment: the mean cue compound weighted by each cue's spoken words.

    Weighted because cue lengths vary by two orders of magnitude: an unweighted mean would let a run of
    one-word "yeah"s (each scored on its own) outweigh the paragraphs the episode is actually about.
    """
    scored = cue_sentiments(cues)
    if not scored:
        return EpisodeSentiment(None, None, 0.0, 0.0, 0.0, ())
    words = sum(c.words for c in scored)
    compound = sum(c.compound * c.words for c in scored) / words
    labels = [c.label for c in scored]
    return EpisodeSentiment(
        compound=compound,
        label=label_of(compound),
        positive_share=labels.count("positive") / len(scored),
        neutral_share=labels.count("neutral") / len(scored),
        negative_share=labels.count("negative") / len(scored),
        cues=scored,
    )
