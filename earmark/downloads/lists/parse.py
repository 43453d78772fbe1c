"""The two list formats of IAB_COUNTING.md, parsed strictly: a malformed line is refused with its number.

Bot user agents: `match<TAB>pattern<TAB>note` (note optional); `match` is `empty` (the UA is empty, only
white space, or '-'; the pattern is ignored), `contains` (substring) or `exact` (the whole UA after
trimming), all case-insensitive. Data-centre CIDRs: one per line. Both: '#' comments and blank lines.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property
from importlib.resources import files

from earmark.errors import EarmarkError

MATCHES = ("empty", "contains", "exact")
_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")


class ListError(EarmarkError):
    """A list file that cannot be loaded; the message names the file's line."""


@dataclass(frozen=True)
class BotPattern:
    line: int
    match: str
    pattern: str
    note: str = ""


@dataclass(frozen=True)
class BotList:
    patterns: tuple[BotPattern, ...]
    sha256: str = ""

    @cached_property
    def _matcher(self) -> tuple[bool, frozenset[str], re.Pattern | None]:
        empty = any(p.match == "empty" for p in self.patterns)
        exact = frozenset(p.pattern.strip().lower() for p in self.patterns if p.match == "exact")
        contains = [re.escape(p.pattern.lower()) for p in self.patterns if p.match == "contains"]
        return empty, exact, re.compile("|".join(contains)) if contains else None

    def is_bot(self, user_agent: str | None) -> bool:
        """Any rule matching: `empty` on an empty, blank or '-' UA, `exact` on the trimmed UA, `contains` on
        the UA as sent (a pattern's own spaces count), all case-insensitive."""
        empty, exact, contains = self._matcher
        agent = user_agent or ""
        trimmed = agent.strip()
        if empty and trimmed in ("", "-"):
            return True
        if trimmed.lower() in exact:
            return True
        return contains is not None and contains.search(agent.lower()) is not None


@dataclass(frozen=True)
class CidrList:
    networks: tuple[tuple[int, str], ...]  # (line, network normalised)
    sha256: str = ""

    @cached_property
    def _ranges(self) -> dict[int, tuple[list[int], list[int]]]:
        """Per IP version: merged [first, last] integer ranges, sorted, for a binary search."""
        found: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
        for _, text in self.networks:
            net = ipaddress.ip_network(text, strict=False)
            found[net.version].append((int(net.network_address), int(net.broadcast_address)))
        merged: dict[int, tuple[list[int], list[int]]] = {}
        for version, spans in found.items():
            firsts: list[int] = []
            lasts: list[int] = []
            for first, last in sorted(spans):
                if lasts and first <= lasts[-1] + 1:
                    lasts[-1] = max(lasts[-1], last)
                else:
                    firsts.append(first)
                    lasts.append(last)
            merged[version] = (firsts, lasts)
        return merged

    def ranges(self, version: int) -> tuple[list[int], list[int]]:
        """The merged [first, last] integer ranges of one IP version, sorted (for a vectorised search)."""
        return self._ranges[version]

    def contains(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return self.contains_value(address.version, int(address))

    def contains_value(self, version: int, value: int) -> bool:
        """Whether the address of this IP version whose integer value is `value` is in a listed network."""
        firsts, lasts = self._ranges[version]
        at = bisect_right(firsts, value) - 1
        return at >= 0 and value <= lasts[at]


def _lines(text: str):
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() == "" or line.lstrip().startswith("#"):
            continue
        yield number, line


def parse_bots(text: str, name: str = "bot list") -> BotList:
    patterns = []
    for number, line in _lines(text):
        parts = line.rstrip("\r\n").split("\t")
        if len(parts) < 2 or len(parts) > 3:
            raise ListError(f"{name} line {number}: expected match<TAB>pattern<TAB>note, got {line[:80]!r}")
        match, pattern = parts[0].strip().lower(), parts[1]
        if match not in MATCHES:
            raise ListError(f"{name} line {number}: match {parts[0]!r} is not one of {', '.join(MATCHES)}")
        if match != "empty" and not pattern.strip():
            raise ListError(f"{name} line {number}: a {match} rule needs a pattern")
        patterns.append(BotPattern(number, match, pattern if match == "contains" else pattern.strip(),
                                   parts[2].strip() if len(parts) == 3 else ""))
    return BotList(tuple(patterns), sha256(text))


def parse_cidrs(text: str, name: str = "CIDR list") -> CidrList:
    networks = []
    for number, line in _lines(text):
        entry = line.split("#", 1)[0].strip()
        try:
            if "/" not in entry:
                raise ValueError
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ListError(f"{name} line {number}: {entry[:80]!r} is not a CIDR (like 192.0.2.0/24 or "
                            "2001:db8::/32)") from None
        if network.version == 6 and network.subnet_of(_MAPPED) and network.prefixlen >= 96:
            # ::ffff:a.b.c.d/n names IPv4 addresses, and addresses are compared as IPv4 once unmapped (R2.5)
            network = ipaddress.IPv4Network((int(network.network_address) & 0xFFFFFFFF,
                                             network.prefixlen - 96))
        networks.append((number, str(network)))
    return CidrList(tuple(networks), sha256(text))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def default_texts() -> tuple[str, str]:
    """The shipped lists' text: (bot user agents, data-centre CIDRs)."""
    folder = files("earmark.downloads.lists")
    return ((folder / "bot_user_agents.tsv").read_text("utf-8"),
            (folder / "datacenter_cidrs.txt").read_text("utf-8"))
