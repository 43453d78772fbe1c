"""`earmark ingest`, `earmark run`, `earmark ui` and `earmark demo`: the pipeline's front door."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    pass
