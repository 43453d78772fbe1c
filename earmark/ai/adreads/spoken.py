"""Promo codes and vanity URLs as a listener types them, from the way a host says them.

No library reads "use code S-H-O-W twenty" as SHOW20 or "harborline V-P-N dot com slash patch" as
harborlinevpn.com/patch, so Earmark does: codes.py reads codes, urls.py URLs, both on this module's tokens,
spelled letters (S-H-O-W, S H O W) and number words ("thirty five" -> 35, "twenty twenty five" -> 2025).
Both are spelled the catalog's way (earmark.catalog.entities: a code's letters and digits upper-case; a
URL lower-case without scheme, www. or trailing slash), so a detected code compares with a campaign's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def words(text: str) -> list[str]:
    """A word list written as one string (long lexicons read better that way)."""
    return text.split()


def wordset(text: str) -> frozenset[str]:
    return frozenset(words(text))


UNITS = {w: i for i, w in enumerate(words(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"))}
UNITS["oh"] = 0  # "two oh" in a spelled number


TENS = {w: 10 * (i + 2) for i, w in enumerate(words("twenty thirty forty fifty sixty seventy eighty ninety"))}


# Words that end a spoken code: what a host says after it ("code RUN at checkout for 20 % off").
CODE_STOPS = wordset(
    "at for to and when checkout check on during in or with you you'll youll get that this which save from "
    "is gets will plus then so because if while off percent free")


# Tokens: words (with an inner apostrophe), single punctuation, a hyphen or slash between parts.
TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?|[\"“”‘’']|[.,;:!?()]|[-/]|%")


SPELLED = re.compile(r"^[A-Za-z]$")


@dataclass(frozen=True)
class Spoken:
    value: str  # the normalised code or URL
    phrase: str  # the words it was read from, for the evidence
    start: int = 0  # where those words are in the text read
    end: int = 0


def each_once(found: Iterable[Spoken]) -> list[Spoken]:
    seen: dict[str, Spoken] = {}
    for item in found:
        seen.setdefault(item.value, item)
    return list(seen.values())


def spelled_letters(tokens: Sequence[str], i: int) -> tuple[str, int]:
    """S-H-O-W, S H O W or S.H.O.W.: at least two single letters (a lone 'a' or 'I' is a word)."""
    letters: list[str] = []
    j = i
    while j < len(tokens) and SPELLED.match(tokens[j]):
        letters.append(tokens[j])
        j += 1
        joined = j + 1 < len(tokens) and tokens[j] in ("-", ".") and SPELLED.match(tokens[j + 1])
        if joined:
            j += 1
    if len(letters) < 2:
        return "", i
    return "".join(letters).upper(), j


def read_number(tokens: Sequence[str], i: int) -> tuple[str, int]:
    """Digits, or a run of number words as digits: 'thirty five' 35, 'twenty twenty five' 2025,
    'two five' 25, 'one hundred' 100. Returns ('', i) when tokens[i] starts no number."""
    if i < len(tokens) and tokens[i].isdigit():
        return tokens[i], i + 1
    groups: list[str] = []
    j = i
    while j < len(tokens):
        word = tokens[j].lower()
        if word in TENS:
            value = TENS[word]
            j += 1
            if j + 1 < len(tokens) and tokens[j] == "-" and tokens[j + 1].lower() in UNITS:
                j += 1
            if j < len(tokens) and tokens[j].lower() in UNITS and 0 < UNITS[tokens[j].lower()] < 10:
                value += UNITS[tokens[j].lower()]
                j += 1
            groups.append(str(value))
        elif word in UNITS and (word != "oh" or groups):
            value = UNITS[word]
            j += 1
            if j < len(tokens) and tokens[j].lower() == "hundred":
                value *= 100
                j += 1
                if j < len(tokens) and tokens[j].lower() == "and":
                    j += 1
                rest, after = read_number(tokens, j)
                if rest and len(rest) <= 2:
                    value += int(rest)
                    j = after
            groups.append(str(value))
        elif word == "hundred" and not groups:
            groups.append("100")
            j += 1
        else:
            break
    return ("".join(groups), j) if groups else ("", i)
