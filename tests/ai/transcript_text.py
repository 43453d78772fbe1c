"""What the parser tests share: a WebVTT file from its blocks, one SRT cue parsed, and a refusal caught."""

from __future__ import annotations

import pytest

from earmark.ai.transcripts import Cue, TranscriptParseError, parse_text


def vtt(*blocks: str) -> str:
    return "WEBVTT\n\n" + "\n\n".join(blocks) + "\n"


def srt_cue(text: str, timing: str = "00:00:01,000 --> 00:00:03,000") -> tuple[Cue, ...]:
    return parse_text(f"1\n{timing}\n{text}\n", "srt", "ep.srt").cues


def refused(text: str, fmt: str, source_file: str = "ep") -> TranscriptParseError:
    with pytest.raises(TranscriptParseError) as info:
        parse_text(text, fmt, source_file)
    return info.value
