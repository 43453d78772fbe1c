"""The one error a transcript file raises: where in the file it went wrong, and what to do about it."""

from __future__ import annotations

from earmark.errors import EarmarkError


class TranscriptParseError(EarmarkError):
    """A transcript file refused whole: a partial transcript would hide speech the detectors need.

    `line` is the 1-based line of the offending cue or segment, or None when the problem is the file as
    a whole (its name, its encoding, no cues at all); `reason` says what is wrong and `fix` what to do.
    """

    def __init__(self, source_file: str, line: int | None, reason: str, fix: str) -> None:
        self.source_file = source_file
        self.line = line
        self.reason = reason
        self.fix = fix
        where = source_file if line is None else f"{source_file} line {line}"
        super().__init__(f"{where}: {reason}; {fix}.")


class TranscriptFileMissing(TranscriptParseError):
    """The file is not there (any more): a path given by hand is refused, while one taken from a landing
    folder was most likely loaded and moved by another run in the meantime."""
