"""Typer choices built from the core's tuples (Typer takes an Enum), so a new tier or grouping is one edit."""

from __future__ import annotations

from enum import StrEnum


def choices(name: str, values: tuple[str, ...]) -> type[StrEnum]:
    return StrEnum(name, {value: value for value in values})
