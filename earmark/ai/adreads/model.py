"""What ad-read detection takes and gives: the episode's context, a segment of cues, and an ad read."""

from __future__ import annotations

from dataclasses import dataclass, field

from earmark.ai.adreads.brands import BrandCatalog

LOCAL_ANALYZER = "earmark-local"  # the name results of Earmark's own analysis are recorded under


@dataclass(frozen=True)
class Context:
    """What Earmark knows about the episode: the tenant's brands and the show it belongs to."""

    catalog: BrandCatalog = field(default_factory=BrandCatalog)
    show_title: str | None = None
    hosts: tuple[str, ...] = ()


@dataclass
class Segment:
    first: int
    last: int
    opened: bool = False


@dataclass(frozen=True)
class AdRead:
    start_s: float
    end_s: float
    first_cue: int
    last_cue: int
    kind: str
    brand: str | None
    advertiser_id: str | None
    promo_codes: tuple[str, ...]
    vanity_urls: tuple[str, ...]
    position: str
    confidence: float
    evidence: tuple[str, ...]
    url_mentions: int = 0  # how many times the segment says a URL (a repeat is the host's second ask)
    url_counts: tuple[tuple[str, int], ...] = ()  # per URL, the cues that say it
    cta: bool = False  # a call to action was said
    analyzer: str = LOCAL_ANALYZER  # who decided: the local detector, or "provider:model" that refined it
