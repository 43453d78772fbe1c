"""Field types shared by the API and the catalog's models: storable text and ISO dates.

Postgres cannot store or compare NUL, nor the lone surrogates that stand for bytes that were not UTF-8
(a JSON body can carry both as \\u0000 and \\udcff escapes; api.wire decodes a path's bytes with
surrogateescape so that they arrive here too). The length bound keeps a client from making the server
hash, compare or log megabytes (OWASP API4).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: str) -> str:
    found = _UNSTORABLE.search(value)
    if found:
        code = f"U+{ord(found.group()):04X}"
        raise ValueError(f"contains {code} at position {found.start()}, which text cannot hold; remove it")
    return value


def text(max_length: int, **constraints: object) -> type:
    """A string Postgres can store and compare: every string a client sends is one of these."""
    return Annotated[str, Field(max_length=max_length, **constraints), AfterValidator(storable)]


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def iso_date(value: object) -> object:
    """pydantic's lax mode also takes numbers as Unix times (`0` would be 1970-01-01): only YYYY-MM-DD."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise ValueError("use an ISO 8601 date, YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(iso_date)]
