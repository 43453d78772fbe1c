"""What in a cue was said: transcripts mark sounds in the text itself ("[MUSIC]", "♪ ... ♪", "(laughs)"),
and those words were never spoken, so no analysis should read them as speech."""

from __future__ import annotations

import re
from collections.abc import Iterable

from earmark.ai.transcripts.cues import Cue

# A bracketed or parenthesised annotation, or a run of sung lyrics between music notes (an unclosed run
# lasts to the end of the cue, as captioners often leave the closing note off).
_SOUND_MARKUP = re.compile(r"\[[^\]]*\]|\([^)]*\)|[♪♫♬][^♪♫♬]*[♪♫♬]?")


def speech_text(text: str) -> str:
    """The text without its sound annotations, whitespace collapsed."""
    return " ".join(_SOUND_MARKUP.sub(" ", text).split())


def is_sound(text: str) -> bool:
    """True when nothing in the text was spoken: no letter or digit is left once annotations go."""
    return not any(ch.isalnum() for ch in speech_text(text))


def episode_text(cues: Iterable[Cue]) -> str:
    """The episode's speech as one document, the input keywords and topics expect."""
    return " ".join(speech for cue in cues if (speech := speech_text(cue.text)))
