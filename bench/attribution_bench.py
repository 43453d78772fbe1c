"""Attribution benchmark: `python bench/attribution_bench.py [JOURNEYS]` = `earmark bench attribution --json`.

Use a dedicated EARMARK_HOME: `earmark run` works on every tenant in the database.
"""

import json
import sys

from earmark.attribution.bench import run_benchmark

if __name__ == "__main__":
    journeys = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(json.dumps(run_benchmark(journeys)))
