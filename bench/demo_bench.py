"""How fast the demo generator makes journeys and writes event files.

Goal (foundation issue, point 8): one million journeys in under a minute; aim for a few seconds.
Run: .venv/bin/python bench/demo_bench.py [--journeys 1000000] [--repeat 3]
Prints one Markdown table row per measurement, ready for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl

from earmark.demo import EVENT_FILE_FORMATS, generate_catalog, generate_events, write_event_file

START = date(2026, 8, 27)
GOAL_SECONDS = 60.0


def timed(action: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """Median and best wall-clock seconds over `repeat` runs, and the last result."""
    seconds, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = action()
        seconds.append(time.perf_counter() - began)
    return statistics.median(seconds), min(seconds), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    print("| measurement | rows | median s | best s |")
    print("|---|---:|---:|---:|")
    median, best, _ = timed(lambda: generate_catalog(seed=7, start=START), args.repeat)
    print(f"| generate_catalog (3 advertisers, 8 shows, 90 days) | - | {median:.3f} | {best:.3f} |")
    for journeys in (args.journeys // 10, args.journeys):
        median, best, events = timed(lambda n=journeys: generate_events(n, seed=7, start=START), args.repeat)
        print(f"| generate_events({journeys:_}) | {events.height:_} events | {median:.2f} | {best:.2f} |")
    assert isinstance(events, pl.DataFrame)
    with tempfile.TemporaryDirectory(prefix="earmark-demo-bench-") as folder:
        for fmt in EVENT_FILE_FORMATS:
            path = Path(folder) / f"events.{fmt}"
            median, best, _ = timed(lambda f=fmt, p=path: write_event_file(events, p, f), args.repeat)
            label = f"write_event_file {fmt} ({path.stat().st_size / 1e6:.0f} MB)"
            print(f"| {label} | {events.height:_} | {median:.2f} | {best:.2f} |")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS {peak_mb:.0f} MB; goal {args.journeys:_} journeys < {GOAL_SECONDS:.0f} s")


if __name__ == "__main__":
    main()
