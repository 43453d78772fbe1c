"""Read an episode transcript (WebVTT, SRT or JSON segments) into a Transcript, or refuse it whole.

A file that cannot be read completely is refused rather than returned in part: a transcript missing a
stretch would hide exactly the speech (an ad read) the detectors look for.

Cues come back in start order. Files are written in that order, but captions may overlap (rolling
captions) and hand-timed or merged files step back a little; a cue may start up to a second before
the latest start seen so far and is then sorted into place. A bigger step back is refused: it is the
mark of two exports joined into one file, or of a mistyped hour, and would put speech at a wrong time.

Text the database cannot store (a NUL, a lone surrogate) is refused here with its line, like any other
fault of the file, rather than left to fail the insert.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

from earmark.ai.transcripts.captions import split_lines
from earmark.ai.transcripts.cue_text import LocatedCue
from earmark.ai.transcripts.cues import Cue, Transcript
from earmark.ai.transcripts.errors import TranscriptFileMissing, TranscriptParseError
from earmark.ai.transcripts.segments_json import parse_segments
from earmark.ai.transcripts.srt import parse_srt
from earmark.ai.transcripts.storable import code_point, shown, unstorable_at
from earmark.ai.transcripts.timing import format_time
from earmark.ai.transcripts.vtt import parse_vtt

FORMATS = (".vtt", ".srt", ".json")
# A three-hour episode is about 0.3 MB of SRT and 3 MB of Whisper JSON with word timings; 50 MB leaves room
# for any real transcript while a wrong file (a video, an audio file, a log) is refused before it is read
# into memory, decoded, parsed and hashed whole.
MAX_TRANSCRIPT_BYTES = 50_000_000
_PARSERS: dict[str, Callable[[str, str], list[LocatedCue]]] = {
    "vtt": parse_vtt,
    "srt": parse_srt,
    "json": parse_segments,
}
_STEP_BACK_MS = 1000
_ACCEPTED = ", ".join(FORMATS)


def parse_transcript(path: Path, *, follow_symlinks: bool = True) -> Transcript:
    """The transcript in the file, its format chosen by the file's suffix (in any case). Without
    `follow_symlinks` a symbolic link is refused rather than read through."""
    name = shown(path.name)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise TranscriptParseError(
            name, None, f"'{shown(path.suffix) or '(no suffix)'}' is not a transcript format",
            f"name the file with one of {_ACCEPTED}",
        )
    return parse_text(_decode(_read(path, name, follow_symlinks), name), suffix[1:], name)


def _read(path: Path, name: str, follow_symlinks: bool) -> bytes:
    """The file's bytes, its size checked on the open file (not on a name another process may swap)."""
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError as exc:
        raise TranscriptFileMissing(
            name, None, f"the file cannot be read ({exc.strerror})", "check the path and its permissions"
        ) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_symlinks:
            raise TranscriptParseError(
                name, None, "the file is a symbolic link, which a landing folder does not follow",
                "copy the file itself into the folder",
            ) from None
        raise _unreadable(name, exc) from None
    try:
        with os.fdopen(fd, "rb") as file:
            _refuse_too_large(os.fstat(file.fileno()).st_size, name)
            data = file.read(MAX_TRANSCRIPT_BYTES + 1)  # a file still growing, or not a regular file
    except OSError as exc:
        raise _unreadable(name, exc) from None
    _refuse_too_large(len(data), name)
    return data


def _refuse_too_large(size: int, name: str) -> None:
    if size > MAX_TRANSCRIPT_BYTES:
        raise TranscriptParseError(
            name, None,
            f"the file is {size:,} bytes, more than the {MAX_TRANSCRIPT_BYTES:,} a transcript may hold",
            "check that it is the episode's transcript, or split it",
        )


def _unreadable(name: str, exc: OSError) -> TranscriptParseError:
    return TranscriptParseError(
        name, None, f"the file cannot be read ({exc.strerror or exc})", "check the path and its permissions"
    )


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
    _refuse_unstorable(text, source_file)
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


def _refuse_unstorable(text: str, source_file: str) -> None:
    """The first NUL or lone surrogate in the text, with its line and column (JSON escapes of them are
    found in the segments, once decoded)."""
    if unstorable_at(text) is None:
        return
    for line_no, line in enumerate(split_lines(text), 1):
        at = unstorable_at(line)
        if at is not None:
            raise TranscriptParseError(
                source_file, line_no,
                f"the line holds {code_point(line[at])} at column {at + 1}, which the database cannot store"
                " as text",
                "remove it (a NUL or a lone surrogate is not text: check that the file is the episode's"
                " transcript)",
            )


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
