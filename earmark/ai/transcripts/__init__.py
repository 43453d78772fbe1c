"""Episode transcripts: the cue model and the WebVTT, SRT and JSON segment parsers."""

from earmark.ai.transcripts.cues import Cue, Transcript
from earmark.ai.transcripts.errors import TranscriptParseError
from earmark.ai.transcripts.parse import FORMATS, parse_text, parse_transcript

__all__ = ["FORMATS", "Cue", "Transcript", "TranscriptParseError", "parse_text", "parse_transcript"]
