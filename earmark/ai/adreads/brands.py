"""Which catalog brand a stretch of transcript names: advertisers, partner podcasts and the tenant's own
shows, by their names, aliases and web domains, matched fuzzily (rapidfuzz) because a transcriber writes
"Harbor Line VPN", "harborline" or "Harborlyne" for the same sponsor.

Matching compares the brand's name with the transcript's words of about the same length, both folded to
lower-case letters and digits, so spacing ("Harbor Line" / "Harborline") never matters and spelling
slips cost a few points of similarity. A name of one short word must match exactly: fuzzy matching
"Plum" would find "plus" everywhere.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from earmark.ai.adreads.spoken import wordset
from earmark.ai.adreads.urls import url_stem

CASED_SHARE = 0.03  # a transcript with this share of capitalised words is written in normal case
SIMILARITY = 88  # rapidfuzz ratio (0-100) from which two spellings are the same name
EXACT_BELOW = 6  # names shorter than this (folded) must match exactly
_SEPARATOR = "qqxqqxqqxqqxqqxqqxqqxqqxqq"
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")
# Words a brand name may carry that a host often drops ("Harborline VPN" said as "Harborline").
_GENERIC = wordset("the co company inc app vpn coffee labs studio studios podcast show radio hq")


def fold(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


@dataclass(frozen=True)
class Brand:
    name: str  # the canonical name an ad is reported under
    kind: str  # advertiser | partner_podcast | own_show
    advertiser_id: str | None = None
    aliases: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()

    def spellings(self) -> list[str]:
        names = [self.name, *self.aliases]
        # "Harborline VPN" is also said "Harborline"; "The Night Shift" also "Night Shift".
        for n in list(names):
            words = n.split()
            while len(words) > 1 and words[-1].lower() in _GENERIC:
                words = words[:-1]
                names.append(" ".join(words))
            if len(words) > 1 and words[0].lower() == "the":
                names.append(" ".join(words[1:]))
        names += [d.split(".")[0] for d in self.domains]
        return [n for n in dict.fromkeys(names) if fold(n)]


@dataclass(frozen=True)
class Mention:
    brand: Brand
    word_start: int  # index of the first word in the text that matched
    similarity: float


@dataclass
class BrandCatalog:
    brands: list[Brand] = field(default_factory=list)
    # per folded spelling: (brand, number of words in the spelling)
    _index: list[tuple[str, int, Brand]] = field(default_factory=list, init=False, repr=False)
    _by_window: dict[int, list[tuple[str, int, Brand]]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        for brand in self.brands:
            for spelling in brand.spellings():
                if fold(spelling) in ENGLISH_STOP_WORDS or len(fold(spelling)) < 2:
                    continue  # a brand called "On" or "It" is found by its domain and aliases, not in speech
                self._index.append((fold(spelling), max(1, len(_WORD.findall(spelling))), brand))
        # longest spellings first, so "Harborline VPN" wins over "Harborline" at the same place
        self._index.sort(key=lambda entry: -len(entry[0]))
        for entry in self._index:
            for size in _window_sizes(entry[1]):
                self._by_window.setdefault(size, []).append(entry)

    def by_kind(self, kind: str) -> list[Brand]:
        return [b for b in self.brands if b.kind == kind]

    def by_domain(self, url: str) -> Brand | None:
        """The brand whose web domain (or folded name) is the URL's host name."""
        host = url.split("/")[0]
        stem = url_stem(url)
        for brand in self.brands:
            if host in brand.domains or any(host.endswith("." + d) for d in brand.domains):
                return brand
        for folded, _, brand in self._index:
            if len(folded) >= EXACT_BELOW and (stem == folded or stem.endswith(folded) or
                                                (len(stem) >= EXACT_BELOW and folded.startswith(stem))):
                return brand
        return None

    def mentions(self, text: str) -> list[Mention]:
        """Every catalog brand the text names, once per place, best match first at each place.

        One rapidfuzz cdist per window size compares every spelling with every run of words at once (C,
        vectorised): an hour of transcript against a catalog of hundreds of names takes milliseconds."""
        words = _WORD.findall(text)
        if not words or not self._index:
            return []
        folded_words = [fold(w) for w in words]
        # A one-word name ("Anchor", "Loop", "Oak") is the brand only where the transcript capitalises it,
        # unless the transcript capitalises nothing (auto-captions): "drop anchor" is not a sponsor.
        cased = sum(1 for w in words if w[:1].isupper()) >= CASED_SHARE * len(words)
        found: dict[int, Mention] = {}
        for size, entries in self._by_window.items():
            if len(words) < size:
                continue
            candidates = ["".join(folded_words[i:i + size]) for i in range(len(words) - size + 1)]
            scores = process.cdist([e[0] for e in entries], candidates, scorer=fuzz.ratio,
                                   score_cutoff=SIMILARITY, dtype=np.uint8)
            for row, column in zip(*np.nonzero(scores), strict=True):
                name, n_words, brand = entries[row]
                candidate = candidates[column]
                if not _comparable(name, candidate):
                    continue
                if cased and n_words == 1 and size == 1 and not words[column][:1].isupper():
                    continue
                score = float(scores[row, column])
                previous = found.get(int(column))
                better = previous is None or (score, len(name)) > (previous.similarity,
                                                                   len(fold(previous.brand.name)))
                if better:
                    found[int(column)] = Mention(brand, int(column), score)
        return _without_overlaps(sorted(found.values(), key=lambda m: (m.word_start, -m.similarity)))

    def mentions_by_part(self, parts: Sequence[str]) -> list[list[Mention]]:
        """mentions() of each part, found in one pass over their concatenation. A separator word that folds
        to nothing like a name keeps every window inside one part."""
        joined = f" {_SEPARATOR} ".join(parts)
        starts: list[int] = []  # the index of each part's first word in the joined text
        total = 0
        for part in parts:
            starts.append(total)
            total += len(_WORD.findall(part)) + 1
        found: list[list[Mention]] = [[] for _ in parts]
        for mention in self.mentions(joined):
            part = bisect_right(starts, mention.word_start) - 1
            found[part].append(Mention(mention.brand, mention.word_start - starts[part], mention.similarity))
        return found

    def best(self, texts: Iterable[str]) -> Brand | None:
        """The brand named most often across texts (ties: the earliest named)."""
        counts: dict[str, tuple[int, int, Brand]] = {}
        order = 0
        for text in texts:
            for mention in self.mentions(text):
                n, first, _ = counts.get(mention.brand.name, (0, order, mention.brand))
                counts[mention.brand.name] = (n + 1, first, mention.brand)
                order += 1
        if not counts:
            return None
        return max(counts.values(), key=lambda entry: (entry[0], -entry[1]))[2]


def _window_sizes(n_words: int) -> Sequence[int]:
    # a two-word name may be written as one word or three ("harborline" / "harbor line v")
    return sorted({max(1, n_words - 1), n_words, n_words + 1})


def _comparable(name: str, candidate: str) -> bool:
    if abs(len(candidate) - len(name)) > max(2, len(name) // 4):
        return False
    return len(name) >= EXACT_BELOW or candidate == name


def _without_overlaps(mentions: list[Mention]) -> list[Mention]:
    """One mention per brand per place: a brand matched at word 4 (3 words) and at word 5 is one mention."""
    kept: list[Mention] = []
    for mention in mentions:
        if kept and kept[-1].brand == mention.brand and mention.word_start - kept[-1].word_start <= 2:
            continue
        kept.append(mention)
    return kept
