"""Wire types that take exactly what the OpenAPI schema promises: ISO dates, timestamps, JSON numbers.

pydantic's lax mode also takes numbers (and numeric strings) as Unix times, so `start=0` would mean
1970-01-01; its strict mode refuses strings in the Python-mode validation FastAPI uses. These types take
exactly what the OpenAPI `format: date` / `format: date-time` promise, and keep that schema.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AwareDatetime, BeforeValidator, Field

from earmark import fields

# RFC 3339 date-time: the offset is required, so a timestamp is never silently read in server time.
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def _rfc3339(value: object) -> object:
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise ValueError("use an RFC 3339 timestamp with a zone, e.g. 2027-01-01T00:00:00Z")
    return value


def _json_number(value: object) -> object:
    # JSON Schema's integer is any number without a fraction (327.0 included); strings and booleans are
    # not numbers, though pydantic's lax mode would convert them.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("use a JSON number")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# The one rule for bad text lives in the core (earmark.fields), in the type, so no route can forget it.
text = fields.text
IsoDate = fields.IsoDate


# Constraints go before the validator: after it, pydantic cannot turn them into minimum/maximum in the
# OpenAPI schema (it writes its own `ge`/`gt` keys there instead).
def json_int(**constraints: float) -> type:
    return Annotated[int, Field(**constraints), BeforeValidator(_json_number)]


def json_float(**constraints: float) -> type:
    return Annotated[float, Field(allow_inf_nan=False, **constraints), BeforeValidator(_json_number)]
Rfc3339Timestamp = Annotated[AwareDatetime, BeforeValidator(_rfc3339)]
