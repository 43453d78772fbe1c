"""How long the local analyzer takes for an hour of transcript (issue 12, point 7: under 2 s).

An hour is built from the evaluation set's transcripts (tests/ai/eval/), one after another with their times
shifted, until it holds at least 9,000 words and 3,600 s; it is written as WebVTT and timed from the file:
parsing, ad-read detection (with the evaluation catalog's brands), sentiment, keywords, topics and people.
Run: `.venv/bin/python bench/ai_bench.py [--rounds 5] [--cue-words 6]`; prints one JSON object with the
median and the slowest round per step. `--cue-words 6` cuts the same hour into caption-length cues.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "ai"))

from adread_eval import EVAL, PARTS, contexts  # noqa: E402

from earmark.ai.adreads import detect  # noqa: E402
from earmark.ai.content.keywords import episode_keywords  # noqa: E402
from earmark.ai.content.people import people_mentioned  # noqa: E402
from earmark.ai.content.sentiment import episode_sentiment  # noqa: E402
from earmark.ai.content.topics import discover_topics  # noqa: E402
from earmark.ai.transcripts import parse_transcript  # noqa: E402

HOUR_S, HOUR_WORDS = 3600.0, 9000


def _clock(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def an_hour(cue_words: int | None = None) -> str:
    blocks, offset, words = [], 0.0, 0
    paths = [p for part in PARTS for p in sorted((EVAL / part / "transcripts").iterdir())]
    while offset < HOUR_S or words < HOUR_WORDS:
        for path in paths:
            transcript = parse_transcript(path)
            for cue in transcript.cues:
                voice = f"<v {cue.speaker}>" if cue.speaker else ""
                for start, end, text in _pieces(cue, cue_words):
                    blocks.append(f"{_clock(start + offset)} --> {_clock(end + offset)}\n{voice}{text}")
                words += len(cue.text.split())
            offset += transcript.duration_s
            if offset >= HOUR_S and words >= HOUR_WORDS:
                break
    return "WEBVTT\n\n" + "\n\n".join(blocks) + "\n"


def _pieces(cue, cue_words: int | None):
    """The cue as it is, or cut into caption-length cues of `cue_words` words (times shared out by words)."""
    words = cue.text.split()
    if not cue_words or len(words) <= cue_words:
        return [(cue.start_s, cue.end_s, cue.text)]
    chunks = [words[i:i + cue_words] for i in range(0, len(words), cue_words)]
    step = (cue.end_s - cue.start_s) / len(words)
    pieces, at = [], cue.start_s
    for chunk in chunks:
        pieces.append((at, at + step * len(chunk), " ".join(chunk)))
        at += step * len(chunk)
    return pieces


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cue-words", type=int, default=None,
                        help="cut cues into captions of this many words (6 gives about 1,500 cues an hour)")
    args = parser.parse_args()
    context = next(iter(contexts(PARTS[0]).values()))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hour.vtt"
        path.write_text(an_hour(args.cue_words))
        steps: dict[str, list[float]] = {}
        for _ in range(args.rounds):
            marks = [time.perf_counter()]
            transcript = parse_transcript(path)
            marks.append(time.perf_counter())
            reads = detect(transcript, context)
            marks.append(time.perf_counter())
            episode_sentiment(transcript.cues)
            marks.append(time.perf_counter())
            text = " ".join(c.text for c in transcript.cues)
            episode_keywords({"hour": text})
            discover_topics({"hour": text})
            marks.append(time.perf_counter())
            people_mentioned(transcript.cues)
            marks.append(time.perf_counter())
            for name, (a, b) in zip(("parse", "ad_reads", "sentiment", "keywords_topics", "people"),
                                    zip(marks, marks[1:], strict=False), strict=True):
                steps.setdefault(name, []).append(b - a)
            steps.setdefault("total", []).append(marks[-1] - marks[0])
    print(json.dumps({"duration_s": round(transcript.duration_s, 1), "words": transcript.words,
                      "cues": len(transcript.cues), "ad_reads": len(reads), "rounds": args.rounds,
                      "median_s": {k: round(statistics.median(v), 3) for k, v in steps.items()},
                      "max_s": {k: round(max(v), 3) for k, v in steps.items()}}))


if __name__ == "__main__":
    main()
