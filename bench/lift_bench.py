"""Lift's stratified bootstrap (issue 17) at a campaign's size: 2,000 resamples over 50,000 households in 500
show-week cells, the simulation the tests use. Prints markdown for bench/RESULTS.md.
Run: .venv/bin/python bench/lift_bench.py"""

from __future__ import annotations

import platform
import statistics
import time

from earmark.households.lift import lift, simulate

HOUSEHOLDS, STRATA, RESAMPLES, REPEATS = 50_000, 500, 2_000, 5


def main() -> None:
    data = simulate(5, HOUSEHOLDS, 0.2, n_strata=STRATA)
    seconds = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = lift(*data, resamples=RESAMPLES)
        seconds.append(time.perf_counter() - started)
    assert result.resamples == RESAMPLES
    assert result.exposed_households + result.control_households == HOUSEHOLDS
    print(f"machine: {platform.machine()}, Python {platform.python_version()}; {HOUSEHOLDS:,} households, "
          f"{STRATA} cells, {RESAMPLES:,} resamples, {REPEATS} runs\n")
    print("| figure | seconds |\n|---|---:|")
    print(f"| fastest | {min(seconds):.3f} |\n| median | {statistics.median(seconds):.3f} |\n"
          f"| slowest | {max(seconds):.3f} |")
    print(f"\nlift {result.lift:+.3f} (95 % CI {result.ci_low:+.3f} to {result.ci_high:+.3f})")


if __name__ == "__main__":
    main()
