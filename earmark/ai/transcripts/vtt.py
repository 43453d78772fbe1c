"""WebVTT: a `WEBVTT` header, then cue blocks; NOTE, STYLE and REGION blocks carry no speech.

Cue identifiers may be any line (the format allows it) and cue settings after the end time
(`align:start position:10%`) only place the caption on screen, so both are skipped.
"""

from __future__ import annotations

import re

from earmark.ai.transcripts.captions import CaptionSyntax, block_cues, split_blocks, split_lines
from earmark.ai.transcripts.cue_text import LocatedCue
from earmark.ai.transcripts.errors import TranscriptParseError
from earmark.ai.transcripts.timing import ARROW

_HEADER = re.compile(r"WEBVTT(?:[ \t].*)?")
_NOT_CUES = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t].*)?")
_SYNTAX = CaptionSyntax(separator=".", identifier=lambda line: True, numbered=False)


def parse_vtt(text: str, source_file: str) -> list[LocatedCue]:
    lines = split_lines(text)
    if _HEADER.fullmatch(lines[0].rstrip()) is None:
        raise TranscriptParseError(
            source_file, 1, "the file does not start with the WEBVTT header",
            "make its first line read WEBVTT (or name the file .srt if it is SubRip)",
        )
    header, *blocks = split_blocks(lines)
    # The header's block holds metadata (`Kind: captions`, `X-TIMESTAMP-MAP=...`); a cue written right
    # under it, without the blank line, starts at its timing line.
    timing_at = next((i for i, (_, line) in enumerate(header) if ARROW in line), None)
    if timing_at is not None:
        blocks.insert(0, header[timing_at:])
    located: list[LocatedCue] = []
    for block in blocks:
        if _NOT_CUES.fullmatch(block[0][1].strip()) is None:
            located += block_cues(block, _SYNTAX, source_file)
    return located
