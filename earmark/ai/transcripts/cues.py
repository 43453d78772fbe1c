"""A transcript is an ordered run of cues: seconds from the start of the episode, a speaker when the file
names one, and the spoken text with markup removed and entities unescaped."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cue:
    start_s: float
    end_s: float
    text: str
    speaker: str | None = None


@dataclass(frozen=True)
class Transcript:
    cues: tuple[Cue, ...]
    format: str  # "vtt", "srt" or "json"
    source_file: str  # the file's name, without its folder

    @property
    def duration_s(self) -> float:
        """The end of the last cue: a transcript knows no more of its episode than that."""
        return max((c.end_s for c in self.cues), default=0.0)

    @property
    def words(self) -> int:
        return sum(len(c.text.split()) for c in self.cues)
