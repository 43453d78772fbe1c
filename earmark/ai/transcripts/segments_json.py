"""JSON segments: an array of `{"start", "end", "text", "speaker"?}` objects with times in seconds, or
an object holding that array as "segments" (as Whisper writes it, beside "text" and "language").

Segment text is plain: there is no markup to strip and no entity to unescape. A segment without a
speaker may still open with a `Name:` label; a "speaker" field wins over any label. Segments are not
split at dashes: speech recognisers already cut at pauses (and, when diarised, at speaker changes),
and a dash in their text is punctuation. Fields other than these four (Whisper's "id", "tokens",
"words" ...) are ignored.

Times must be finite, not negative and at most 48 hours (timing.MAX_HOURS); the text and speaker must be
text the database can store (no `\\u0000`, no lone surrogate such as `\\ud800`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

from earmark.ai.transcripts.cue_text import LocatedCue, split_speaker
from earmark.ai.transcripts.cues import Cue
from earmark.ai.transcripts.errors import TranscriptParseError
from earmark.ai.transcripts.storable import code_point, unstorable_at
from earmark.ai.transcripts.timing import MAX_HOURS, MAX_MS

_JSON_WHITESPACE = re.compile(r"[ \t\n\r]*")
_EXAMPLE = '[{"start": 0.0, "end": 4.2, "speaker": "Ana", "text": "..."}]'
_MAX_SECONDS = MAX_MS // 1000
_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}


def parse_segments(text: str, source_file: str) -> list[LocatedCue]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptParseError(
            source_file, exc.lineno, f"the file is not valid JSON ({exc.msg} at column {exc.colno})",
            "fix the JSON, or export the segments again",
        ) from None
    except RecursionError:
        raise TranscriptParseError(
            source_file, None, "the JSON is nested too deeply to be segments", f"write it as {_EXAMPLE}"
        ) from None
    segments = _segment_list(document, source_file)
    located: list[LocatedCue] = []
    for number, (line, segment) in enumerate(zip(_segment_lines(text, document), segments, strict=True), 1):
        problem = _problem(segment)
        if problem is not None:
            reason, fix = problem
            raise TranscriptParseError(source_file, line, f"segment {number} {reason}", fix)
        speaker = _speaker_field(segment.get("speaker"))
        words = " ".join(segment["text"].split())
        if speaker is None:
            speaker, words = split_speaker(words)
        if words:
            start, end = round(segment["start"] * 1000), round(segment["end"] * 1000)
            located.append(LocatedCue(line, Cue(start / 1000, end / 1000, words, speaker)))
    return located


def _segment_list(document: Any, source_file: str) -> list[Any]:
    if isinstance(document, list):
        return document
    if not isinstance(document, dict):
        raise TranscriptParseError(
            source_file, None, f"the JSON document is {_json_type(document)}, not an array of segments",
            f"write it as {_EXAMPLE}",
        )
    segments = document.get("segments")
    if not isinstance(segments, list):
        reason = (
            'the JSON object has no "segments" array' if segments is None
            else f'the JSON object\'s "segments" is {_json_type(segments)}, not an array'
        )
        raise TranscriptParseError(
            source_file, None, reason, f'give it "segments": {_EXAMPLE}, or make the whole file that array'
        )
    return segments


def _problem(segment: Any) -> tuple[str, str] | None:
    """What makes a segment unreadable, and how to fix it; None for a good segment."""
    if not isinstance(segment, dict):
        return f"is {_json_type(segment)}, not an object", f"write each segment as {_EXAMPLE[1:-1]}"
    number_fix = 'give every segment "start" and "end" as numbers of seconds'
    for key in ("start", "end"):
        if key not in segment:
            return f'has no "{key}"', number_fix
        value = segment[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f'has {_json_type(value)} as its "{key}"', number_fix
        if not _is_time(value):
            return f'has "{key}": {json.dumps(value)}', "times are seconds from the start of the episode"
        if value > _MAX_SECONDS:
            return (f'has "{key}": {json.dumps(value)}, more than {MAX_HOURS} hours into the episode',
                    "times are seconds from the start of the episode (not milliseconds)")
    if segment["end"] < segment["start"]:
        return f"ends at {segment['end']} s, before it starts at {segment['start']} s", "fix its times"
    if not isinstance(segment.get("text"), str):
        held = "no" if "text" not in segment else f"{_json_type(segment['text'])} as its"
        return f'has {held} "text"', 'give every segment its words as a "text" string'
    if not isinstance(segment.get("speaker"), str | None):
        return (
            f'has {_json_type(segment["speaker"])} as its "speaker"',
            'write the speaker as a string, or null (or leave it out) when unknown',
        )
    for key in ("text", "speaker"):
        value = segment.get(key)
        at = None if value is None else unstorable_at(value)
        if at is not None:
            return (f'has a "{key}" holding {code_point(value[at])}, which the database cannot store as text',
                    f"remove the \\u{ord(value[at]):04x} escape from it")
    return None


def _is_time(seconds: int | float) -> bool:
    """Finite and not negative; an integer too large for a float is not a time either."""
    try:
        return 0 <= float(seconds) < math.inf
    except OverflowError:
        return False


def _speaker_field(value: str | None) -> str | None:
    if value is None:
        return None
    return " ".join(value.split()) or None


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), "a number")


def _segment_lines(text: str, document: Any) -> Iterator[int]:
    """The 1-based line each segment opens on. json.loads keeps no positions, so the document, already
    known to be valid, is walked again with raw_decode, one value at a time."""
    decoder = json.JSONDecoder()
    at = _skip(text, 0)
    if isinstance(document, dict):
        at = _member_value(text, at, "segments", decoder)
    line, counted = 1, 0
    at = _skip(text, at + 1)
    while text[at] != "]":
        line += text.count("\n", counted, at)
        counted = at
        yield line
        _, at = decoder.raw_decode(text, at)
        at = _skip(text, at)
        if text[at] == ",":
            at = _skip(text, at + 1)


def _member_value(text: str, at: int, key: str, decoder: json.JSONDecoder) -> int:
    """Where the value of `key`, known to be there, starts in the object opening at `at` (its last
    occurrence, as json.loads keeps the last of repeated keys)."""
    found = -1
    at = _skip(text, at + 1)
    while text[at] != "}":
        name, at = decoder.raw_decode(text, at)
        at = _skip(text, _skip(text, at) + 1)
        if name == key:
            found = at
        _, at = decoder.raw_decode(text, at)
        at = _skip(text, at)
        if text[at] == ",":
            at = _skip(text, at + 1)
    return found


def _skip(text: str, at: int) -> int:
    return _JSON_WHITESPACE.match(text, at).end()
