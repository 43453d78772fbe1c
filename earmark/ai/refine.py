"""A second opinion from an LLM on the ad reads the local detector is unsure about.

Only reads whose confidence is below REFINE_BELOW are sent, with the segment's cues and two cues either side:
the local detector is cheap and good at the common case, an LLM is slow, costs money and is better at the
odd one (a read with no code or URL, an unusual transition). The tenant's provider order decides who is
asked (providers.order); with only the local analyzer in it there is nothing to refine. The provider's
answer can drop the segment (not an ad) or correct its kind, brand, codes and URLs; its boundaries stay
on the local detector's cue boundaries. When every provider fails, the router answers with the local
analyzer, which is the detector's own answer, so a read is never lost to an outage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from uuid import UUID

from earmark import db
from earmark.ai.adreads import AdRead, Context
from earmark.ai.providers import Analyzer, Task
from earmark.ai.providers.order import LOCAL
from earmark.ai.transcripts import Transcript
from earmark.catalog.entities import normalise_code, normalise_url

REFINE_BELOW = 0.6  # confidence under which a local ad read is sent to the tenant's LLM
CONTEXT_CUES = 2
KINDS = ["host_read", "produced", "dynamic_insert", "cross_promo", "self_promo"]

Refiner = Callable[[Transcript, list[AdRead], Context], tuple[list[AdRead], int]]
CONFIRMED = 0.8  # the confidence of a read an LLM confirmed

INSTRUCTIONS = """You review one candidate advertisement found in a podcast transcript.
The lines marked >> are the candidate segment; the others are context before and after it.
Decide whether the marked lines are an advertisement or promotion (not talk about a brand, a price,
advertising itself, or a guest's own website). If it is one, give its kind: host_read (the host in their own
voice), produced (announcer, music, legal tags), dynamic_insert (a spot stitched in, cutting the host off,
never naming the show), cross_promo (another podcast), self_promo (the show's own membership, merch, tour,
newsletter). Give the brand as written, promo codes as typed at checkout (upper-case letters and digits) and
vanity URLs in lower case without scheme, www. or trailing slash. Use empty strings and lists when absent."""

SCHEMA = {
    "type": "object",
    "properties": {
        "is_ad": {"type": "boolean"},
        "kind": {"type": "string", "enum": KINDS},
        "brand": {"type": "string"},
        "promo_codes": {"type": "array", "items": {"type": "string"}},
        "vanity_urls": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["is_ad", "kind", "brand", "promo_codes", "vanity_urls"],
    "additionalProperties": False,
}


def segment_text(transcript: Transcript, read: AdRead) -> str:
    first = max(0, read.first_cue - CONTEXT_CUES)
    last = min(len(transcript.cues) - 1, read.last_cue + CONTEXT_CUES)
    lines = []
    for i in range(first, last + 1):
        cue = transcript.cues[i]
        mark = ">>" if read.first_cue <= i <= read.last_cue else "  "
        who = f"{cue.speaker}: " if cue.speaker else ""
        lines.append(f"{mark} [{cue.start_s:.1f}s] {who}{cue.text}")
    return "\n".join(lines)


def review_task(read: AdRead) -> Task:
    """The task for one read; its local answer is the detector's own, so a fallback changes nothing."""
    local = {"is_ad": True, "kind": read.kind, "brand": read.brand or "",
             "promo_codes": list(read.promo_codes), "vanity_urls": list(read.vanity_urls)}
    return Task("ad_read_review", "1", INSTRUCTIONS, SCHEMA, lambda _text: local)


def refine(analyzer: Analyzer, transcript: Transcript, reads: list[AdRead], context: Context | None = None
           ) -> tuple[list[AdRead], int]:
    kept: list[AdRead] = []
    refined = 0
    for read in reads:
        if read.confidence >= REFINE_BELOW:
            kept.append(read)
            continue
        answer = analyzer.analyse(review_task(read), segment_text(transcript, read))
        if answer.provider == LOCAL:
            kept.append(read)
            continue
        refined += 1
        data = answer.data
        if not data["is_ad"]:
            continue
        codes = tuple(dict.fromkeys(c for c in (normalise_code(x) for x in data["promo_codes"]) if c))
        urls = tuple(dict.fromkeys(u for u in (normalise_url(x) for x in data["vanity_urls"]) if u))
        brand, advertiser_id = read.brand, read.advertiser_id
        if advertiser_id is None and data["brand"].strip():
            # the LLM's spelling, as the catalog spells it when the catalog knows the brand
            known = context.catalog.best([data["brand"]]) if context is not None else None
            brand, advertiser_id = ((known.name, known.advertiser_id) if known
                                    else (data["brand"].strip(), None))
        kept.append(replace(read, kind=data["kind"], brand=brand, advertiser_id=advertiser_id,
                            promo_codes=codes, vanity_urls=urls, confidence=max(read.confidence, CONFIRMED),
                            analyzer=f"{answer.provider}:{answer.model}"))
    return kept, refined


@contextmanager
def refiner_for(tenant_id: UUID | str) -> Iterator[Refiner | None]:
    """The tenant's refiner while the analysis runs, or None when its order has only the local analyzer."""
    with db.connect("transformer") as conn:
        analyzer = Analyzer(conn, tenant_id)
        if analyzer.order.providers == (LOCAL,):
            yield None
            return
        yield lambda transcript, reads, context: refine(analyzer, transcript, reads, context)
