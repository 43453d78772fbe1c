"""R1: the one spelling of a request's URL and of an episode's enclosure URL, so the two can be matched.

Trim; then repeatedly strip a leading http:// or https:// (any case) and a known prefix tracker after it
(any case); cut at the first '#', then at the first '?'; lower-case the host, keep the path as it is.
"Repeatedly" covers both: trackers chain with or without a scheme between them
(`https://dts.podtrac.com/redirect.mp3/chrt.fm/track/X/host/ep.mp3`), so stripping goes on while either a
scheme or a prefix leads.
"""

from __future__ import annotations

import re

_SCHEME = re.compile(r"https?://", re.IGNORECASE)
# After the scheme. Chartable's ID is ASCII letters and digits; OP3's args contain no '/'.
_PREFIXES = re.compile(
    r"(?:dts\.podtrac\.com/redirect\.mp3/|dts\.podtrac\.com/pts/redirect\.mp3/|www\.podtrac\.com/pts/redirect\.mp3/"
    r"|chrt\.fm/track/[A-Za-z0-9]+/|chtbl\.com/track/[A-Za-z0-9]+/|pdst\.fm/e/|op3\.dev/e/|op3\.dev/e,[^/]*/"
    r"|pscrb\.fm/rss/p/)",
    re.IGNORECASE,
)


def normalise(url: str | None) -> str:
    """The matching key of a URL ('' for none). Idempotent: normalise(normalise(u)) == normalise(u)."""
    text = (url or "").strip()
    while True:
        scheme = _SCHEME.match(text)
        if scheme is not None:
            text = text[scheme.end():]
        prefix = _PREFIXES.match(text)
        if prefix is not None:
            text = text[prefix.end():]
        if scheme is None and prefix is None:
            break
    text = text.split("#", 1)[0].split("?", 1)[0]
    host, slash, path = text.partition("/")
    return host.lower() + slash + path
