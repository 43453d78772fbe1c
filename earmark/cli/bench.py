"""`earmark bench attribution`: the attribution benchmark (results belong in bench/RESULTS.md)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

app = typer.Typer(help="Benchmarks.", no_args_is_help=True)


@app.callback()
def _development_only() -> None:
    from earmark.settings import refuse_in_production

    refuse_in_production("`earmark bench`")


@app.command()
def attribution(
    journeys: int = typer.Option(1_000_000, "--journeys", help="Synthetic journeys (~3.7 touches each)."),
    events: Path | None = typer.Option(None, "--events", help="Any event file `earmark ingest` takes."),
    rounds: int = typer.Option(3, "--rounds", help="Measure each figure this many times, side by side."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Earmark's full recompute beside the peer library's, then one more day at a time; report the timings."""
    from earmark.attribution.bench import run_benchmark

    result = run_benchmark(journeys, events, rounds)
    if as_json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        typer.echo(f"{key}: {value}")
