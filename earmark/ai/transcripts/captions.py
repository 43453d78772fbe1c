"""What WebVTT and SRT share: cues in blocks separated by blank lines, each an optional identifier line,
a `start --> end` timing line, then the cue's text lines (wrapped lines of one caption)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from earmark.ai.transcripts.cue_text import LocatedCue, spoken_parts, timed_cues
from earmark.ai.transcripts.errors import TranscriptParseError
from earmark.ai.transcripts.timing import ARROW, looks_like_timing, missing_arrow, parse_timing

Line = tuple[int, str]  # 1-based line number, text
_CUE_NUMBER = re.compile(r"\d+")
_SNIPPET_CHARS = 40


@dataclass(frozen=True)
class CaptionSyntax:
    separator: str  # between seconds and milliseconds, as the format writes it (for messages)
    identifier: Callable[[str], bool]  # may this (stripped) line name the cue above its timing line?
    # SRT only: a number line right above a timing line, inside a block, is that cue's number and not
    # the previous cue's text (a blank line left out between cues).
    numbered: bool


def is_cue_number(line: str) -> bool:
    return _CUE_NUMBER.fullmatch(line) is not None


def split_lines(text: str) -> list[str]:
    """Lines on LF, CRLF or a lone CR, so that line numbers match what an editor shows."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def split_blocks(lines: list[str]) -> list[list[Line]]:
    """The runs of non-blank lines; any number of blank (or whitespace-only) lines separates them."""
    blocks: list[list[Line]] = []
    current: list[Line] = []
    for line_no, line in enumerate(lines, 1):
        if line.strip():
            current.append((line_no, line))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def block_cues(block: list[Line], syntax: CaptionSyntax, source_file: str) -> list[LocatedCue]:
    """The cues of one block, each located at its timing line; a block that holds no cue is refused."""
    if ARROW in block[0][1]:
        rows = block
    elif len(block) > 1 and ARROW in block[1][1] and syntax.identifier(block[0][1].strip()):
        rows = block[1:]
    else:
        raise _outside_cue(block, source_file)
    # A timing line among the text starts the next cue, as WebVTT's own parser reads a missing blank line.
    starts = [i for i, (_, line) in enumerate(rows) if ARROW in line]
    located: list[LocatedCue] = []
    for k, at in enumerate(starts):
        stop = starts[k + 1] if k + 1 < len(starts) else len(rows)
        text = [line for _, line in rows[at + 1 : stop]]
        if syntax.numbered and stop < len(rows) and text and is_cue_number(text[-1].strip()):
            text.pop()
        line_no, timing = rows[at]
        start, end = parse_timing(timing, line_no, source_file, syntax.separator)
        located += [LocatedCue(line_no, cue) for cue in timed_cues(start, end, spoken_parts(text))]
    return located


def _outside_cue(block: list[Line], source_file: str) -> TranscriptParseError:
    (first_no, first), *rest = block
    second = rest[0][1] if rest else ""
    text = first.strip()
    snippet = text if len(text) <= _SNIPPET_CHARS else text[:_SNIPPET_CHARS] + "…"
    if ARROW in second:
        return TranscriptParseError(
            source_file, first_no, f"'{snippet}' stands where a cue number belongs",
            "start each cue with its number or its timing line",
        )
    if looks_like_timing(first):
        return missing_arrow(first_no, source_file)
    if looks_like_timing(second):
        return missing_arrow(rest[0][0], source_file)
    if is_cue_number(text):
        return TranscriptParseError(
            source_file, first_no, f"cue {text} has no timing line after its number",
            f"add its start {ARROW} end line below the number",
        )
    return TranscriptParseError(
        source_file, first_no, f"'{snippet}' is outside any cue (no timing line above it)",
        "remove the blank line before it to join it to the cue above, or delete it",
    )
