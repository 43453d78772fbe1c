"""From a cue's raw text lines to what was said, by whom: markup removed, entities unescaped.

A cue can hold more than one speaker. Caption files mark a change of speaker inside a cue with a line
opening `- ` (or `-` right before a word, as some style guides write it, or `>>` as broadcast captions
do), and WebVTT with a second `<v Name>` line. Such a cue becomes one Cue per speaker: a speaker change
is evidence the ad detectors use (a host handing over to a read ad), and one cue holding two speakers
would misstate who said what. Its time span is divided between the parts in proportion to the length
of their text, which is all a caption file tells us about when each spoke.

Speakers come from `<v Name>` voice tags or from a `Name:` label opening a part's text. A label counts
only if it looks like a name: one to three words, each opening with a capital letter and made of
letters, `.`, `'` or `-` (so `Dr. Lee`, `Mark Ruiz`, `ANA`, but not `10:30`, `Speaker 1` or `In 2020`),
whose last word is not one of the few words that label a sentence rather than a person (`Note:`,
`Update:`, `Pro Tip:`). Title-case sentences (`So I Said: ...`) still get through; that is the price of
taking labels at all. Sound cues (`[MUSIC]`, `♪ ... ♪`, `(laughs)`) are kept as text: the detectors use
music as evidence.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from earmark.ai.transcripts.cues import Cue

# Opening voice tags (with optional classes, `<v.loud Ana>`) and closing ones: a voice lasts until
# `</v>` or the end of the cue.
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*)>|</v>")
# Ruby text is a reading of the base text beside it, not more speech; `</rt>` may be left out.
_RUBY_TEXT = re.compile(r"<rt(?:\.[^\s>]*)?>.*?(?:</rt>|(?=</ruby>)|$)")
# Tags are a name opening with a letter (`<i>`, `<c.yellow>`, `<lang en>`, `<font color=...>`) or an
# inline timestamp: a bare `<` in an SRT (`I <3 it`) stays text.
_TAG = re.compile(r"</?[A-Za-z][\w.\-]*(?:[ \t][^>]*)?>|<\d+(?::\d{2}){1,2}\.\d{3}>")
_ASS_TAG = re.compile(r"\{\\[^}]*\}")
_TURN = re.compile(r"(?:-|>>)(?:[ \t]+|(?=[^\W\d_]))")
_LABEL = re.compile(r"([^\s:]+(?:[ \t]+[^\s:]+){0,2})[ \t]*:[ \t]*(?=\S)")
_NAME_PUNCTUATION = frozenset(".'’-")
_NOT_NAMES = frozenset({
    "note", "notes", "warning", "caution", "update", "reminder", "tip", "hint", "example", "question",
    "answer", "edit", "disclaimer", "summary", "chapter", "part", "step", "fact", "quote", "source",
    "translation", "subtitles", "captions", "lyrics", "music", "sponsor", "ad", "advertisement",
    "correction", "transcript", "re", "ps", "fyi",
})


class LocatedCue(NamedTuple):
    """A cue and the file line it came from, so a later check can still point at it."""

    line: int
    cue: Cue


@dataclass
class _Part:
    voice: str | None
    texts: list[str] = field(default_factory=list)


def spoken_parts(lines: list[str]) -> list[tuple[str, str | None]]:
    """The (text, speaker) of each speaker's part of a caption cue, in order; empty parts are dropped."""
    parts: list[_Part] = []
    carried: str | None = None
    for raw in lines:
        line = raw.strip()
        opened: str | None = None
        if "<" in line:
            for match in _VOICE.finditer(line):
                voice = _voice_name(match.group(1)) if match.group(1) is not None else None
                opened = opened or voice
                carried = voice
            if "<rt" in line:
                line = _RUBY_TEXT.sub("", line)
            line = _TAG.sub("", line)
        if "{\\" in line:
            line = _ASS_TAG.sub("", line)
        if "&" in line:
            line = html.unescape(line)
        text = " ".join(line.split())
        if not text:
            continue
        turn = _TURN.match(text)
        if turn is not None:
            text = text[turn.end():]
        if not parts:
            parts.append(_Part(opened or carried))
        elif turn is not None or (opened is not None and opened != parts[-1].voice):
            # A new speaker's own voice tag names it; a voice left open by the previous part does not.
            parts.append(_Part(opened))
        parts[-1].texts.append(text)
    spoken = []
    for part in parts:
        text = " ".join(part.texts)
        if part.voice is not None:
            spoken.append((text, part.voice))
        else:
            speaker, text = split_speaker(text)
            spoken.append((text, speaker))
    return spoken


def split_speaker(text: str) -> tuple[str | None, str]:
    """A `Name:` label opening the text, if it looks like a name, and the text without it."""
    match = _LABEL.match(text)
    if match is None or not _is_name(match.group(1)):
        return None, text
    return match.group(1), text[match.end():]


def timed_cues(start_ms: int, end_ms: int, parts: list[tuple[str, str | None]]) -> list[Cue]:
    """One Cue per part, sharing the span in proportion to text length: contiguous, whole milliseconds."""
    total = sum(len(text) for text, _ in parts)
    span = end_ms - start_ms
    cues = []
    begin = start_ms
    said = 0
    for text, speaker in parts:
        said += len(text)
        finish = start_ms + (2 * span * said + total) // (2 * total)
        cues.append(Cue(begin / 1000, finish / 1000, text, speaker))
        begin = finish
    return cues


def _voice_name(annotation: str) -> str | None:
    return " ".join(html.unescape(annotation).split()) or None


def _is_name(label: str) -> bool:
    words = label.split()
    if words[-1].rstrip(".").lower() in _NOT_NAMES:
        return False
    return all(
        word[0].isupper() and all(ch.isalpha() or ch in _NAME_PUNCTUATION for ch in word) for word in words
    )
