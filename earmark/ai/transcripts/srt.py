"""SubRip (SRT): numbered cue blocks with `HH:MM:SS,mmm --> HH:MM:SS,mmm` timing lines.

The number line is optional (some exporters leave it out); a line anything other than a number above
the timing line is refused, since it is more likely a caption that lost its cue than a cue's name.
"""

from __future__ import annotations

from earmark.ai.transcripts.captions import (
    CaptionSyntax,
    block_cues,
    is_cue_number,
    split_blocks,
    split_lines,
)
from earmark.ai.transcripts.cue_text import LocatedCue

_SYNTAX = CaptionSyntax(separator=",", identifier=is_cue_number, numbered=True)


def parse_srt(text: str, source_file: str) -> list[LocatedCue]:
    located: list[LocatedCue] = []
    for block in split_blocks(split_lines(text)):
        located += block_cues(block, _SYNTAX, source_file)
    return located
