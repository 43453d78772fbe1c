"""Rules a catalog row must keep that need other rows: what it names exists, and fits.

Pure functions over the rows already in the catalog (`Known`, fetched by earmark.catalog.statements), so
the importer and the API apply the same rules. Foreign keys in Postgres stay the last word (a row deleted
between this check and the write still fails the write).
"""

from __future__ import annotations

from earmark.catalog.entities import MAX_FLIGHT_DAYS, SPECS, Spec

# entity name -> key tuple -> the row's columns
Known = dict[str, dict[tuple, dict]]


def needed(spec: Spec) -> tuple[str, ...]:
    """The entities whose rows the rules of `spec` read."""
    return tuple(dict.fromkeys(ref.entity for ref in spec.references))


def index(name: str, rows: list[dict]) -> dict[tuple, dict]:
    key = SPECS[name].key
    return {tuple(row[c] for c in key): row for row in rows}


def problem(spec: Spec, row: dict, known: Known) -> str | None:
    """Why `row` cannot be stored, as one sentence, or None."""
    for ref in spec.references:
        value = tuple(row[c] for c in ref.columns)
        if any(v is None for v in value):
            continue  # an optional reference left empty
        if value not in known[ref.entity]:
            shown = ", ".join(str(v) for v in value)
            return f"unknown {ref.label} {shown!r}; import the {ref.entity} first"
    check = _CHECKS.get(spec.name)
    return check(row, known) if check else None


def _placement(row: dict, known: Known) -> str | None:
    if row["episode_id"] is not None:
        episode = known["episodes"][(row["episode_id"],)]
        if episode["show_id"] != row["show_id"]:
            return (f"episode {row['episode_id']!r} is an episode of show {episode['show_id']!r}, "
                    f"not of show {row['show_id']!r}")
    # The flight a flat fee is spread over: the placement's own dates, else its campaign's.
    campaign = known["campaigns"][(row["campaign_id"],)]
    starts = row["starts_on"] or campaign["starts_on"]
    ends = row["ends_on"] or campaign["ends_on"]
    if ends < starts:
        return (f"the flight ends on {ends}, before it starts on {starts} (dates left empty are the "
                "campaign's)")
    if (ends - starts).days >= MAX_FLIGHT_DAYS:
        return f"the flight {starts}..{ends} is longer than {MAX_FLIGHT_DAYS} days"
    return None


def _ad_slot(row: dict, known: Known) -> str | None:
    size = known["episodes"][(row["episode_id"],)]["bytes_total"]
    if size is not None and row["end_byte"] >= size:
        return (f"the byte range {row['start_byte']}-{row['end_byte']} is outside the file of episode "
                f"{row['episode_id']!r} ({size} bytes, so the last byte is {size - 1})")
    return None


_CHECKS = {"placements": _placement, "ad_slots": _ad_slot}
