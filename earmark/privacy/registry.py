"""The personal-data registry (earmark/privacy/registry.toml) as data the erasure, the access export and
the registry test read."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

KINDS = ("user_id", "household_key", "ip", "email", "user_agent", "free_text")
ERASURES = ("delete", "tombstone", "recompute", "retain")
SUBJECTS = ("user_id", "contains", "household", "account", "none")
TOMBSTONE = "[erased]"


@dataclass(frozen=True)
class PersonalColumn:
    table: str  # schema.table
    column: str
    kind: str
    erasure: str
    subject: str
    note: str = ""

    @property
    def schema(self) -> str:
        return self.table.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.table.split(".", 1)[1]

    @property
    def reaches_subject(self) -> bool:
        """A data-subject request by user id or email finds the subject here."""
        return self.subject in ("user_id", "contains")


class RegistryError(ValueError):
    pass


@cache
def columns() -> tuple[PersonalColumn, ...]:
    data = tomllib.loads((files("earmark.privacy") / "registry.toml").read_text("utf-8"))
    found = []
    for number, entry in enumerate(data.get("column", []), start=1):
        try:
            column = PersonalColumn(**entry)
        except TypeError as exc:
            raise RegistryError(f"registry entry {number}: {exc}") from None
        for field, allowed in (("kind", KINDS), ("erasure", ERASURES), ("subject", SUBJECTS)):
            if getattr(column, field) not in allowed:
                raise RegistryError(f"registry entry {number} ({column.table}.{column.column}): {field} "
                                    f"{getattr(column, field)!r} is not one of {', '.join(allowed)}")
        if "." not in column.table:
            raise RegistryError(f"registry entry {number}: table {column.table!r} needs its schema")
        found.append(column)
    keys = [(c.table, c.column) for c in found]
    if len(set(keys)) != len(keys):
        raise RegistryError("the registry lists a column twice")
    return tuple(found)


def by_table() -> dict[str, list[PersonalColumn]]:
    out: dict[str, list[PersonalColumn]] = {}
    for column in columns():
        out.setdefault(column.table, []).append(column)
    return out


# A column looks personal by its name: who (user, actor, subject, speaker, people, hosts), how to reach them
# (email, ip, address, user agent, household, referer), or free text that may name them.
PERSONAL_NAME = re.compile(
    r"(^|_)(user_id|email|ip|ip_key|ip_address|address_id|user_agent|ua_id|household_key|household_id|referer\w*|"
    r"record|text|speaker|people|hosts|actor|subject\w*|details|changes|answer|dimension_value)$")


def looks_personal(column: str) -> bool:
    return bool(PERSONAL_NAME.search(column))


def manifest_personal(manifest: dict, schema: str = "analytics") -> set[tuple[str, str]]:
    """(table, column) of every dbt model column tagged personal: `config: {meta: {personal: <kind>}}` or the
    tag `personal`."""
    found = set()
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") != "model":
            continue
        for name, column in node.get("columns", {}).items():
            config = column.get("config") or {}
            meta = {**(column.get("meta") or {}), **(config.get("meta") or {})}
            tags = set(column.get("tags") or []) | set(config.get("tags") or [])
            if "personal" in meta or "personal" in tags:
                found.add((f"{node.get('schema') or schema}.{node['name']}", name))
    return found


def unregistered(catalog: list[tuple[str, str]], tagged: set[tuple[str, str]] = frozenset()) -> list[str]:
    """Columns that look personal (or are tagged so in dbt) but are not in the registry."""
    known = {(c.table, c.column) for c in columns()}
    suspects = {(t, c) for t, c in catalog if looks_personal(c)} | set(tagged)
    return sorted(f"{t}.{c}" for t, c in suspects - known)


def missing(catalog: list[tuple[str, str]]) -> list[str]:
    """Registered columns the database no longer has."""
    present = set(catalog)
    return sorted(f"{c.table}.{c.column}" for c in columns() if (c.table, c.column) not in present)
