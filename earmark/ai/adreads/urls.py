"""Vanity URLs as typed: written (brand.com/show) or spoken, a name of up to three parts (words or spelled
letters), "dot" and a top-level domain (spoken or spelled: "dot F-M"), and "slash" path segments."""

from __future__ import annotations

import re
from collections.abc import Sequence

from earmark.ai.adreads.spoken import (
    CODE_STOPS,
    SPELLED,
    TOKEN,
    Spoken,
    each_once,
    read_number,
    spelled_letters,
    wordset,
)
from earmark.catalog.entities import normalise_url

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


# Words in front of a spoken domain that are not part of it ("head over to the site at plum dot fm").
URL_STOPS = wordset(
    "to at visit go head over check out on by the our their my your a website site web online is and or "
    "just simply right now today from via www http https")


# Words after "slash" that are the host talking again, not more of the path.
_NOT_IN_PATHS = CODE_STOPS | URL_STOPS | wordset("use code promo enter go head plus again that's thats")


_WRITTEN_URL = re.compile(
    r"(?<![\w@.])(?:https?://)?(?:www\.)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:"
    + "|".join(TLDS) + r"))\b((?:/[a-z0-9_-]+)*)/?(?![\w.]*@)",
    re.IGNORECASE)


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


def vanity_urls(text: str, unique: bool = True) -> list[Spoken]:
    """Every URL the text writes or says, in order, each once (every time, with `unique` off)."""
    found = [Spoken(normalise_url(m.group(1) + m.group(2)), m.group(0), m.start(), m.end())
             for m in _WRITTEN_URL.finditer(text)]
    # Written URLs are blanked out first (keeping every offset), so "brand.com" is not read again as a
    # spoken "brand dot com".
    rest = _WRITTEN_URL.sub(lambda m: " " * (len(m.group(0)) - 1) + ",", text)
    spans = list(TOKEN.finditer(rest))
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
    letters, after = spelled_letters(tokens, i)
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
        while k >= 0 and (SPELLED.match(tokens[k]) or (tokens[k] == "-" and k > 0
                                                        and SPELLED.match(tokens[k - 1]))):
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
    letters, after = spelled_letters(tokens, i)
    if letters:
        head, i = letters.lower(), after
    elif i < len(tokens) and tokens[i].isalnum():
        number, after = read_number(tokens, i)
        head, i = (number, after) if number else (tokens[i].lower(), i + 1)
    else:
        return "", i
    # more words until a word that is not part of it ("slash after dark." -> afterdark)
    for _ in range(2):
        number, after = read_number(tokens, i)
        if number:
            head, i = head + number, after
        elif i < len(tokens) and tokens[i].isalnum() and tokens[i].lower() not in _NOT_IN_PATHS \
                and tokens[i].lower() not in ("slash", "forward"):
            head, i = head + tokens[i].lower(), i + 1
        else:
            break
    return head, i
