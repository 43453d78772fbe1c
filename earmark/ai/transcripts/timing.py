"""Cue times: the `start --> end` line WebVTT and SRT share, read into whole milliseconds.

Times are kept as integer milliseconds until a Cue is built, so that splitting a cue's span between its
speakers stays contiguous without float drift. Both separators are read in both formats (an SRT file
with `.` or a WebVTT file with `,` is a renamed export, not garbage), and hours may be left out, as
caption files write short episodes (`01:02.500`). The milliseconds may not: without them, `01:02`
could be hours and minutes as well as minutes and seconds.
"""

from __future__ import annotations

import re

from earmark.ai.transcripts.errors import TranscriptParseError

ARROW = "-->"
# No episode runs two days: a later time is a typo (a digit too many in the hours) or milliseconds written as
# seconds, and would put speech where the episode has none. Shared with the JSON segments.
MAX_HOURS = 48
MAX_MS = MAX_HOURS * 3_600_000
_HOUR_DIGITS = 6  # more hour digits than this are past MAX_HOURS; int() of thousands of digits is refused
_SHOWN_CHARS = 20
_TIME = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2})[.,](\d{1,3})")
_NO_FRACTION = re.compile(r"(?:\d+:)?\d{1,2}:\d{1,2}")
# A line opening with a time: a timing line that lost its arrow, not text outside a cue.
_TIME_FIRST = re.compile(r"\s*(?:\d+:)?\d{1,2}:\d{1,2}[.,]\d")


def looks_like_timing(line: str) -> bool:
    return _TIME_FIRST.match(line) is not None


def parse_timing(line: str, line_no: int, source_file: str, separator: str) -> tuple[int, int]:
    """The start and end of a timing line, in ms; what follows the end time (cue settings) is ignored."""
    before, _, after = line.partition(ARROW)
    start_text = before.strip()
    end_text = after.split(maxsplit=1)[0] if after.strip() else ""
    if not start_text or not end_text:
        side = "start time before" if not start_text else "end time after"
        raise TranscriptParseError(
            source_file, line_no, f"the timing line has no {side} '{ARROW}'",
            f"write it as 00:00:01{separator}000 {ARROW} 00:00:04{separator}000",
        )
    if ARROW in after:
        raise TranscriptParseError(
            source_file, line_no, f"the timing line has more than one '{ARROW}'",
            "give each cue its own timing line, with a blank line between cues",
        )
    start = _milliseconds(start_text, "start", line_no, source_file, separator)
    end = _milliseconds(end_text, "end", line_no, source_file, separator)
    if end < start:
        raise TranscriptParseError(
            source_file, line_no, f"the end time {end_text} is before the start {start_text}",
            "fix the cue's timing",
        )
    return start, end


def missing_arrow(line_no: int, source_file: str) -> TranscriptParseError:
    return TranscriptParseError(
        source_file, line_no, f"the timing line has no '{ARROW}' between its start and end times",
        f"write it as start {ARROW} end",
    )


def format_time(ms: int, separator: str = ".") -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def _milliseconds(text: str, role: str, line_no: int, source_file: str, separator: str) -> int:
    match = _TIME.fullmatch(text)
    if match is None:
        if _NO_FRACTION.fullmatch(text):
            raise TranscriptParseError(
                source_file, line_no, f"the {role} time {text} has no milliseconds",
                f"write it as {text}{separator}000",
            )
        raise TranscriptParseError(
            source_file, line_no, f"the {role} time '{text}' is not a time",
            f"write times as HH:MM:SS{separator}mmm, for example 00:01:02{separator}500",
        )
    hours, minutes, seconds, fraction = match.groups()
    if hours is not None and len(hours.lstrip("0")) > _HOUR_DIGITS:
        raise _too_late(text, role, line_no, source_file)
    for value, unit in ((minutes, "minutes"), (seconds, "seconds")):
        if int(value) >= 60:
            raise TranscriptParseError(
                source_file, line_no, f"the {role} time {text} has {int(value)} {unit}",
                "minutes and seconds must be below 60",
            )
    ms = (int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)) * 1000 + int(fraction.ljust(3, "0"))
    if ms > MAX_MS:
        raise _too_late(text, role, line_no, source_file)
    return ms


def _too_late(text: str, role: str, line_no: int, source_file: str) -> TranscriptParseError:
    shown = text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS] + "…"
    return TranscriptParseError(
        source_file, line_no, f"the {role} time {shown} is more than {MAX_HOURS} hours into the episode",
        "check its hours: times count from the start of the episode",
    )
