"""Read an episode transcript (WebVTT, SRT or JSON segments) into a Transcript, or refuse it whole.

A file that cannot be read completely is refused rather than returned in part: a transcript missing a
stretch would hide exactly the speech (an ad read) the detectors look for.

Cues come back in start order. Files are written in that order, but captions may overlap (rolling
captions) and hand-timed or merged files step back a little; a cue may start up to a second before
the latest start seen so far and is then sorted into place. A bigger step back is refused: it is the
mark of two exports joined into one file, or of a mistyped hour, and would put speech at a wrong time.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from earmark.ai.transcripts.cue_text import LocatedCue
from earmark.ai.transcripts.cues import Cue, Transcript
from earmark.ai.transcripts.errors import TranscriptParseError
from earmark.ai.transcripts.segments_json import parse_segments
from earmark.ai.transcripts.srt import parse_srt
from earmark.ai.transcripts.timing import format_time
from earmark.ai.transcripts.vtt import parse_vtt

FORMATS = (".vtt", ".srt", ".json")
_PARSERS: dict[str, Callable[[str, str], list[LocatedCue]]] = {
    "vtt": parse_vtt,
    "srt": parse_srt,
    "json": parse_segments,
}
_STEP_BACK_MS = 1000
_ACCEPTED = ", ".join(FORMATS)


def parse_transcript(path: Path) -> Transcript:
    """The transcript in the file, its format chosen by the file's suffix (in any case)."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise TranscriptParseError(
            path.name, None, f"'{path.suffix or '(no suffix)'}' is not a transcript format",
            f"name the file with one of {_ACCEPTED}",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TranscriptParseError(
            path.name, None, f"the file cannot be read ({exc.strerror})", "check the path and its permissions"
        ) from None
    return parse_text(_decode(data, path.name), suffix[1:], path.name)


def parse_text(text: str, fmt: str, source_file: str) -> Transcript:
    """The transcript in `text`, written in `fmt` ("vtt", "srt" or "json"); errors name `source_file`."""
    fmt = fmt.lower().removeprefix(".")
    parser = _PARSERS.get(fmt)
    if parser is None:
        raise TranscriptParseError(
            source_file, None, f"'{fmt}' is not a transcript format", f"use one of {_ACCEPTED}"
        )
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise TranscriptParseError(source_file, None, "the file is empty", "export the transcript again")
    cues = _in_start_order(parser(text, source_file), source_file)
    if not cues:
        raise TranscriptParseError(
            source_file, None, "the file has no cues with text", "check that it is the episode's transcript"
        )
    return Transcript(tuple(cues), fmt, source_file)


def _decode(data: bytes, source_file: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        raise TranscriptParseError(
            source_file, before.count(b"\n") + 1, f"the byte 0x{data[exc.start]:02x} is not UTF-8",
            "save the file as UTF-8",
        ) from None


def _in_start_order(located: list[LocatedCue], source_file: str) -> list[Cue]:
    latest_ms = 0
    for line, cue in located:
        start_ms = round(cue.start_s * 1000)
        if latest_ms - start_ms > _STEP_BACK_MS:
            raise TranscriptParseError(
                source_file, line,
                f"the cue starts at {format_time(start_ms)}, more than a second before an earlier cue's"
                f" start {format_time(latest_ms)}",
                "put the cues in time order",
            )
        latest_ms = max(latest_ms, start_ms)
    return sorted((cue for _, cue in located), key=lambda cue: cue.start_s)
