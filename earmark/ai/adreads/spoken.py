"""Promo codes and vanity URLs as a listener types them, from the way a host says them.

No library reads "use code S-H-O-W twenty" as SHOW20 or "harborline V-P-N dot com slash patch" as
harborlinevpn.com/patch, so this module does, on the transcript's text:

- a code follows a trigger ("code", "promo code", "enter ... at checkout") and runs over spelled letters
  (S-H-O-W, S H O W), upper-case or digit-bearing words, a quoted phrase, up to three ordinary words, and
  number words ("thirty five" -> 35, "twenty twenty five" -> 2025), until a word that ends it ("at",
  "for", "and", "checkout") or punctuation;
- a URL is written (brand.com/show) or spoken: a name of up to three parts (words or spelled letters),
  "dot" and a top-level domain (spoken or spelled: "dot F-M"), and an optional "slash" path of one word
  (plus the number that follows it).

Both are then spelled the catalog's way (earmark.catalog.entities: a code's letters and digits upper-case;
a URL lower-case without scheme, www. or trailing slash), so a detected code compares with a campaign's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from earmark.catalog.entities import normalise_code, normalise_url


def words(text: str) -> list[str]:
    """A word list written as one string (long lexicons read better that way)."""
    return text.split()


def wordset(text: str) -> frozenset[str]:
    return frozenset(words(text))


# The top-level domains podcast ads use, as spoken ("dot com") and as written (".com").
TLDS = tuple(wordset(
    "com co fm io net org us ai app tv shop show store ca me ly so xyz audio pod coffee health club info biz "
    "uk de kids studio life live money care fit golf bike dog pet pets farm travel news media page site "
    "online link team works fun games tech dev cafe bar beer wine law blog earth green land art design "
    "family baby bio eco one world today cloud email family fund finance gift gifts guru house im market "
    "mobi network plus run shoes ski social space style tips tools town toys vip watch wtf zone cc gg tools "
    # country codes, alone and under com/co/org ("corella dot com dot au")
    "au nz in ie za sg hk my ph jp kr cn tw fr es it nl be ch at se no dk fi pl pt br mx ar cl eu asia"))
# Sites a brand is reached through: the brand is in the path (patreon.com/thelonglunch).
PLATFORMS = wordset("patreon substack supercast apple spotify youtube instagram tiktok facebook twitter x "
                    "linktr linkedin discord twitch etsy amazon shopify kickstarter gofundme bandcamp github "
                    "gitlab medium reddit wikipedia google notion dropbox bit")
_TLD_SET = frozenset(TLDS)

UNITS = {w: i for i, w in enumerate(words(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"))}
UNITS["oh"] = 0  # "two oh" in a spelled number
TENS = {w: 10 * (i + 2) for i, w in enumerate(words("twenty thirty forty fifty sixty seventy eighty ninety"))}

# What a host says between "code" and the code ("the code is, that's: SHOW20").
_BEFORE_CODE = frozenset(("is", "it's", "its", "that's", ":", "-", "of", "word", ","))
# Words that end a spoken code: what a host says after it ("code RUN at checkout for 20 % off").
CODE_STOPS = wordset(
    "at for to and when checkout check on during in or with you you'll youll get that this which save from "
    "is gets will plus then so because if while off percent free")
# Words that follow "code" in ordinary talk, never a code ("the promo code went viral").
NOT_CODES = wordset(
    "went was were works worked expired expires got has had itself thing things system names name a an the "
    "meant leaked used spread broke shut stopped of review base red blue words promo code below above "
    "there here it")
# Words in front of a spoken domain that are not part of it ("head over to the site at plum dot fm").
URL_STOPS = wordset(
    "to at visit go head over check out on by the our their my your a website site web online is and or "
    "just simply right now today from via www http https")

# Words after "slash" that are the host talking again, not more of the path.
_NOT_IN_PATHS = CODE_STOPS | URL_STOPS | wordset("use code promo enter go head plus again that's thats")

# Tokens: words (with an inner apostrophe), single punctuation, a hyphen or slash between parts.
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?|[\"“”‘’']|[.,;:!?()]|[-/]|%")
_CODE_TRIGGER = re.compile(
    r"\b(?:(?:promo|discount|coupon|offer|checkout|special|bonus|presale|pre-sale|access|listener|partner|"
    r"exclusive|referral|gift)\s+)?code(?:\s+word)?\b"
    r"|\benter\b(?=[^.?!]{1,40}\bat\s+check\s?out\b)",
    re.IGNORECASE)
_WRITTEN_URL = re.compile(
    r"(?<![\w@.])(?:https?://)?(?:www\.)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:"
    + "|".join(TLDS) + r"))\b((?:/[a-z0-9_-]+)*)/?(?![\w.]*@)",
    re.IGNORECASE)
_ASKED = re.compile(r"\b(?:use|enter|with|apply|redeem|type|say|mention|using)\s+(?:the\s+|my\s+|our\s+)?$",
                    re.IGNORECASE)
# What follows a code a host asks you to use ("... at checkout", "... for 20 % off", "... to save").
_CHECKOUT_AFTER = re.compile(
    r"^\W*(?:at check ?out|at the register|for (?:\w+ ){0,3}(?:off|free|percent|%)|"
    r"to (?:get|save|claim|receive|unlock)|and (?:get|save)|,? ?(?:that's|thats) )", re.IGNORECASE)
_SPELLED = re.compile(r"^[A-Za-z]$")


@dataclass(frozen=True)
class Spoken:
    value: str  # the normalised code or URL
    phrase: str  # the words it was read from, for the evidence
    start: int = 0  # where those words are in the text read
    end: int = 0


def url_stem(url: str) -> str:
    """The name a URL spells, folded: harborlinevpn.com/patch -> harborlinevpn, shop.lumen.coffee ->
    lumen, corella.com.au -> corella, patreon.com/thelonglunch -> thelonglunch."""
    host, _, path = url.partition("/")
    labels = host.split(".")
    while len(labels) > 1 and labels[-1] in _TLD_SET:
        labels.pop()
    name = labels[-1] if labels else host
    if name in PLATFORMS and path:
        name = path.split("/")[0]
    return re.sub(r"[^a-z0-9]", "", name.lower())


def promo_codes(text: str, unique: bool = True) -> list[Spoken]:
    """Every code the text says, in order, each once (every time, with `unique` off)."""
    found: list[Spoken] = []
    for trigger in _CODE_TRIGGER.finditer(text):
        spans = list(_TOKEN.finditer(text, trigger.end(), trigger.end() + 120))
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


def vanity_urls(text: str, unique: bool = True) -> list[Spoken]:
    """Every URL the text writes or says, in order, each once (every time, with `unique` off)."""
    found = [Spoken(normalise_url(m.group(1) + m.group(2)), m.group(0), m.start(), m.end())
             for m in _WRITTEN_URL.finditer(text)]
    # Written URLs are blanked out first (keeping every offset), so "brand.com" is not read again as a
    # spoken "brand dot com".
    rest = _WRITTEN_URL.sub(lambda m: " " * (len(m.group(0)) - 1) + ",", text)
    spans = list(_TOKEN.finditer(rest))
    tokens = [m.group(0) for m in spans]
    for i, token in enumerate(tokens):
        if token.lower() == "dot":
            read = _read_spoken_url(tokens, i)
            if read:
                value, first, last = read
                start, end = spans[first].start(), spans[last - 1].end()
                found.append(_with_joined_name(Spoken(value, text[start:end], start, end), text))
    said = sorted((u for u in found if u.value), key=lambda u: u.start)
    return each_once(said) if unique else said


def _with_joined_name(url: Spoken, text: str) -> Spoken:
    """"Thimble and Tine, thimble and tine dot com": a name with "and" in it, said the way the text writes the
    brand elsewhere, is one domain (thimbleandtine.com), not tine.com."""
    host, _, path = url.value.partition("/")
    name = host.split(".")[0]
    joined = re.search(rf"\b([A-Za-z]+) (?:and|&) {re.escape(name)}\b(?=[^.]*\bdot\b)", text, re.IGNORECASE)
    if joined is None or joined.group(1).lower() in URL_STOPS:
        return url
    first = joined.group(1)
    named = re.search(rf"\b{re.escape(first.title())} (?:and|&) {re.escape(name.title())}\b", text)
    if named is None:
        return url
    value = first.lower() + "and" + url.value
    return Spoken(normalise_url(value), f"{first} and {url.phrase}", url.start, url.end)


def each_once(found: Iterable[Spoken]) -> list[Spoken]:
    seen: dict[str, Spoken] = {}
    for item in found:
        seen.setdefault(item.value, item)
    return list(seen.values())


# ---- codes -----------------------------------------------------------------------------------------


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
        letters, after = _spelled_letters(tokens, i)
        if letters:
            parts.append(letters)
            i = after
            continue
        number, after = _number(tokens, i)
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
        number, after = _number(tokens, j)
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
        letters, after = _spelled_letters(tokens, i)
        if letters:
            parts.append(letters)
            i = after
        elif parts and (tokens[i] in ",-" or tokens[i].lower() in ("and", "the", "number", "then", "digit")):
            i += 1  # "P-I-N-T and the number five"
        else:
            number, after = _number(tokens, i)
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
                                    or _spelled_letters(tokens, i)[0]):
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


def _spelled_letters(tokens: Sequence[str], i: int) -> tuple[str, int]:
    """S-H-O-W, S H O W or S.H.O.W.: at least two single letters (a lone 'a' or 'I' is a word)."""
    letters: list[str] = []
    j = i
    while j < len(tokens) and _SPELLED.match(tokens[j]):
        letters.append(tokens[j])
        j += 1
        joined = j + 1 < len(tokens) and tokens[j] in ("-", ".") and _SPELLED.match(tokens[j + 1])
        if joined:
            j += 1
    if len(letters) < 2:
        return "", i
    return "".join(letters).upper(), j


def _number(tokens: Sequence[str], i: int) -> tuple[str, int]:
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
                rest, after = _number(tokens, j)
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


# ---- URLs ------------------------------------------------------------------------------------------


def _read_spoken_url(tokens: Sequence[str], dot: int) -> tuple[str, int, int] | None:
    """`tokens[dot]` is "dot": the domain name before it, the TLD after it, then an optional path. Returns
    the URL and the range of tokens it was read from."""
    tld, after = _tld(tokens, dot + 1)
    if not tld and dot + 2 < len(tokens) and tokens[dot + 1].isalpha() and tokens[dot + 2].lower() == "slash":
        tld, after = tokens[dot + 1].lower(), dot + 2  # a domain we do not list, but a path says it is one
    if not tld:
        return None
    labels = [tld]
    # "shop dot brand dot com": walk back over earlier "name dot" pairs.
    start = dot
    name, start = _name_before(tokens, start)
    if not name:
        return None
    labels.insert(0, name)
    while start >= 2 and tokens[start - 1].lower() == "dot":
        more, earlier = _name_before(tokens, start - 1)
        if not more:
            break
        labels.insert(0, more)
        start = earlier
    # a second TLD: "dot co dot uk"
    if after + 1 < len(tokens) and tokens[after].lower() == "dot":
        second, later = _tld(tokens, after + 1)
        if second:
            labels.append(second)
            after = later
    path, end = _path(tokens, after)
    url = ".".join(labels) + (f"/{path}" if path else "")
    return normalise_url(url), start, end


def _tld(tokens: Sequence[str], i: int) -> tuple[str, int]:
    letters, after = _spelled_letters(tokens, i)
    if letters and letters.lower() in _TLD_SET:
        return letters.lower(), after
    if i < len(tokens) and tokens[i].lower() in _TLD_SET:
        return tokens[i].lower(), i + 1
    return "", i


def _name_before(tokens: Sequence[str], end: int) -> tuple[str, int]:
    """Up to three parts (words, spelled letters or numbers) before tokens[end], stopping at a word that is
    not part of a domain. Returns the joined label and the index of its first token."""
    parts: list[str] = []
    i = end
    while i > 0 and len(parts) < 3:
        j = i - 1
        # spelled letters read backwards: V - P - N
        k = j
        while k >= 0 and (_SPELLED.match(tokens[k]) or (tokens[k] == "-" and k > 0
                                                        and _SPELLED.match(tokens[k - 1]))):
            k -= 1
        if k < j - 1:
            letters = "".join(t for t in tokens[k + 1:i] if t != "-")
            if len(letters) >= 2:
                parts.insert(0, letters.lower())
                i = k + 1
                continue
        token = tokens[j]
        if token == "-" and parts:  # "harbor-line"
            i = j
            continue
        if not token.isalnum() or token.lower() in URL_STOPS or token.lower() == "dot":
            break
        parts.insert(0, token.lower())
        i = j
    label = re.sub(r"[^a-z0-9-]", "", "".join(parts))
    return (label, i) if label else ("", end)


def _path(tokens: Sequence[str], i: int) -> tuple[str, int]:
    """Every "slash" segment: "slash bench slash twenty" -> bench/20."""
    segments: list[str] = []
    while True:
        segment, after = _path_segment(tokens, i)
        if not segment:
            break
        segments.append(segment)
        i = after
    return "/".join(segments), i


def _path_segment(tokens: Sequence[str], i: int) -> tuple[str, int]:
    if i < len(tokens) and tokens[i].lower() == "forward":
        i += 1
    if not (i < len(tokens) and tokens[i].lower() in ("slash", "/")):
        return "", i
    i += 1
    letters, after = _spelled_letters(tokens, i)
    if letters:
        head, i = letters.lower(), after
    elif i < len(tokens) and tokens[i].isalnum():
        number, after = _number(tokens, i)
        head, i = (number, after) if number else (tokens[i].lower(), i + 1)
    else:
        return "", i
    # more words until a word that is not part of it ("slash after dark." -> afterdark)
    for _ in range(2):
        number, after = _number(tokens, i)
        if number:
            head, i = head + number, after
        elif i < len(tokens) and tokens[i].isalnum() and tokens[i].lower() not in _NOT_IN_PATHS \
                and tokens[i].lower() not in ("slash", "forward"):
            head, i = head + tokens[i].lower(), i + 1
        else:
            break
    return head, i
