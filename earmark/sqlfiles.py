"""The one way to read a SQL statement that ships beside its code: `<package>/sql/<name>.sql`.

Read through importlib.resources, so it works from a source tree, an editable install and a wheel alike,
and cached for the life of the process (statements are part of the release, never edited at run time).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def load(package: str, name: str) -> str:
    """The text of `<package>/sql/<name>.sql`, e.g. load("api", "channels_window")."""
    return (files(package) / "sql" / f"{name}.sql").read_text("utf-8")
