"""How long the local analyzer takes for an hour of transcript (issue 12, point 7: under 2 s).

An hour is built from the evaluation set's transcripts (tests/ai/eval/), one after another with their times
shifted, until it holds at least 9,000 words and 3,600 s; it is written as WebVTT and timed from the file:
parsing, ad-read detection (with the evaluation catalog's brands), sentiment, keywords, topics and people.
Run: `.venv/bin/python bench/ai_bench.py [--rounds 5]`; prints one JSON object with the median per step.
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


def an_hour() -> str:
    blocks, offset, words = [], 0.0, 0
    paths = [p for part in PARTS for p in sorted((EVAL / part / "transcripts").iterdir())]
    while offset < HOUR_S or words < HOUR_WORDS:
        for path in paths:
            transcript = parse_transcript(path)
            for cue in transcript.cues:
                voice = f"<v {cue.speaker}>" if cue.speaker else ""
                timing = f"{_clock(cue.start_s + offset)} --> {_clock(cue.end_s + offset)}"
                blocks.append(f"{timing}\n{voice}{cue.text}")
                words += len(cue.text.split())
            offset += transcript.duration_s
            if offset >= HOUR_S and words >= HOUR_WORDS:
                break
    return "WEBVTT\n\n" + "\n\n".join(blocks) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    context = next(iter(contexts(PARTS[0]).values()))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hour.vtt"
        path.write_text(an_hour())
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
