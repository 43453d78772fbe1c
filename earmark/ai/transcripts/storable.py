"""Where a transcript holds text the database cannot store, so that the file is refused with its line.

Postgres text cannot hold NUL, nor the lone surrogates (U+D800 to U+DFFF) that stand for bytes that were
not UTF-8: a caption file can carry a raw NUL byte, a JSON string can escape both (`\\u0000`, `\\ud800`),
and a file name with bytes that are not UTF-8 reaches Python as surrogates. earmark.fields.storable is the
one definition of what cannot be stored; this module finds it and names it.
"""

from __future__ import annotations

from earmark.fields import storable


def unstorable_at(value: str) -> int | None:
    """The index of the first character of `value` the database cannot store, or None."""
    try:
        storable(value)
    except ValueError:
        return next(i for i, ch in enumerate(value) if not _stores(ch))
    return None


def code_point(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def shown(value: str) -> str:
    """`value` with each character the database cannot store replaced by U+FFFD: a file name fit for a
    message, a log line and a row (an error that quoted the name as it is would fail where it is kept)."""
    if unstorable_at(value) is None:
        return value
    return "".join(ch if _stores(ch) else "\ufffd" for ch in value)


def _stores(ch: str) -> bool:
    try:
        storable(ch)
    except ValueError:
        return False
    return True
