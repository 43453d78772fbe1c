"""Promo codes as typed at checkout: a code follows a trigger ("code", "promo code", "enter ... at checkout")
and runs over spelled letters, upper-case or digit-bearing words, a quoted phrase, up to three ordinary
words and number words, until a word that ends it ("at", "for", "and", "checkout") or punctuation. A code
spelled out after it ("..., that's F-I-L-E, N-I-N-E") decides how it is typed."""

from __future__ import annotations

import re
from collections.abc import Sequence

from earmark.ai.adreads.spoken import (
    CODE_STOPS,
    TOKEN,
    Spoken,
    each_once,
    read_number,
    spelled_letters,
    wordset,
)
from earmark.catalog.entities import normalise_code

# What a host says between "code" and the code ("the code is, that's: SHOW20").
_BEFORE_CODE = frozenset(("is", "it's", "its", "that's", ":", "-", "of", "word", ","))


# Words that follow "code" in ordinary talk, never a code ("the promo code went viral").
NOT_CODES = wordset(
    "went was were works worked expired expires got has had itself thing things system names name a an the "
    "meant leaked used spread broke shut stopped of review base red blue words promo code below above "
    "there here it")


_CODE_TRIGGER = re.compile(
    r"\b(?:(?:promo|discount|coupon|offer|checkout|special|bonus|presale|pre-sale|access|listener|partner|"
    r"exclusive|referral|gift)\s+)?code(?:\s+word)?\b"
    r"|\benter\b(?=[^.?!]{1,40}\bat\s+check\s?out\b)",
    re.IGNORECASE)


_ASKED = re.compile(r"\b(?:use|enter|with|apply|redeem|type|say|mention|using)\s+(?:the\s+|my\s+|our\s+)?$",
                    re.IGNORECASE)


# What follows a code a host asks you to use ("... at checkout", "... for 20 % off", "... to save").
_CHECKOUT_AFTER = re.compile(
    r"^\W*(?:at check ?out|at the register|for (?:\w+ ){0,3}(?:off|free|percent|%)|"
    r"to (?:get|save|claim|receive|unlock)|and (?:get|save)|,? ?(?:that's|thats) )", re.IGNORECASE)


def promo_codes(text: str, unique: bool = True) -> list[Spoken]:
    """Every code the text says, in order, each once (every time, with `unique` off)."""
    found: list[Spoken] = []
    for trigger in _CODE_TRIGGER.finditer(text):
        spans = list(TOKEN.finditer(text, trigger.end(), trigger.end() + 120))
        tokens = [m.group(0) for m in spans]
        # "Use code night owl" asks for a code; "an internal discount code meant for staff" talks about one:
        # without an ask, ordinary words count only when checkout talk follows them.
        asked = bool(_ASKED.search(text[max(0, trigger.start() - 24):trigger.start()]))
        code, used = _read_code(tokens)
        if code and not asked and not code.isdigit() and not _looks_typed(tokens[:used]) \
                and not _CHECKOUT_AFTER.match(" ".join(tokens[used:used + 8])):
            code, used = _typed_after(tokens, used)  # "it's rain delay, all one word, RAINDELAY"
        spelled, after = _spelled_out(tokens, used)
        if spelled and len(spelled) >= len(code):
            code, used = spelled, after  # "code FILE NINE, that's F-I-L-E, N-I-N-E": the spelling decides
        if code:
            # the words as the transcript has them, for the evidence
            end = spans[used - 1].end() if used else trigger.end()
            found.append(Spoken(code, text[trigger.start():end], trigger.start(), end))
    return each_once(found) if unique else found


def _read_code(tokens: Sequence[str]) -> tuple[str, int]:
    """The code at the start of `tokens` and how many tokens it took ('' when there is none)."""
    i = 0
    while i < len(tokens) and tokens[i].lower() in _BEFORE_CODE:
        i += 1
    if i < len(tokens) and tokens[i] in "\"“‘'":
        return _quoted_code(tokens, i)
    parts: list[str] = []
    words = 0
    while i < len(tokens):
        letters, after = spelled_letters(tokens, i)
        if letters:
            parts.append(letters)
            i = after
            continue
        number, after = read_number(tokens, i)
        if number:
            parts.append(number)
            i = after
            continue
        token = tokens[i]
        lower = token.lower()
        # a typed-looking word is the code even when it is a word that ends one ("use code SAVE 20")
        typed = token.isalnum() and _looks_coded(token) and len(token) > 1
        if not token.isalnum() or words >= 3 or (not typed and (lower in CODE_STOPS or (
                not parts and lower in NOT_CODES))):
            break
        # After an upper-case or digit part, only more of those continue a code ("SHOW 20", not "SHOW now").
        if parts and not _looks_coded(token) and _looks_coded(parts[-1]) and words:
            break
        parts.append(token)
        words += 1
        i += 1
        # "SAVE-20": a hyphen between typed parts joins them
        if i + 1 < len(tokens) and tokens[i] == "-" and typed and tokens[i + 1].isalnum() \
                and _looks_coded(tokens[i + 1]):
            i += 1
    code = normalise_code("".join(parts))
    return (code, i) if code and len(code) >= 2 else ("", 0)


def _quoted_code(tokens: Sequence[str], i: int) -> tuple[str, int]:
    parts: list[str] = []
    j = i + 1
    while j < len(tokens) and tokens[j] not in "\"“”’'" and len(parts) < 6:
        number, after = read_number(tokens, j)
        if number:
            parts.append(number)
            j = after
            continue
        if tokens[j].isalnum():
            parts.append(tokens[j])
        j += 1
    code = normalise_code("".join(parts))
    return (code, j + 1) if code else ("", 0)


def _spelled_out(tokens: Sequence[str], start: int) -> tuple[str, int]:
    """A code spelled out right after it ("..., that's F-I-L-E, N-I-N-E"), letters and digits only."""
    i = start
    while i < len(tokens) and tokens[i] in ",:-":
        i += 1
    if i >= len(tokens) or tokens[i].lower() not in ("that's", "thats", "spelled", "spelt"):
        return "", 0
    i += 1
    parts: list[str] = []
    while i < len(tokens):
        letters, after = spelled_letters(tokens, i)
        if letters:
            parts.append(letters)
            i = after
        elif parts and (tokens[i] in ",-" or tokens[i].lower() in ("and", "the", "number", "then", "digit")):
            i += 1  # "P-I-N-T and the number five"
        else:
            number, after = read_number(tokens, i)
            if not number:
                break
            parts.append(number)
            i = after
    code = normalise_code("".join(parts))
    return (code, i) if len(code) >= 2 and any(c.isalpha() for c in code) else ("", 0)


def _typed_after(tokens: Sequence[str], start: int) -> tuple[str, int]:
    """A code the host goes on to spell or say in capitals within the same sentence."""
    for i in range(start, min(len(tokens), start + 10)):
        if tokens[i] in ".?!":
            break
        if tokens[i].isalnum() and (_looks_coded(tokens[i]) and len(tokens[i]) >= 3
                                    or spelled_letters(tokens, i)[0]):
            code, used = _read_code(tokens[i:])
            return (code, i + used) if code else ("", 0)
    return "", 0


def _looks_typed(tokens: Sequence[str]) -> bool:
    """Spelled letters, an upper-case word, digits or a quotation: a code as the host means it to be typed."""
    words = [t for t in tokens if t.isalnum()]
    return any(t in "\"“‘'" for t in tokens) or any(_looks_coded(t) and len(t) > 1 for t in words) or \
        sum(1 for t in words if len(t) == 1) >= 2


def _looks_coded(token: str) -> bool:
    return token.isupper() or any(c.isdigit() for c in token)
