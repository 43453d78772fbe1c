"""Who the demo loads: three tenants of different tiers and sizes, scaled by one factor."""

from __future__ import annotations

# (name, tier, journeys at scale 1). About 4 events per journey: roughly 230 000 events in all, the free
# tenant staying well under its 100 000 events a month.
DEMO_TENANTS: tuple[tuple[str, str, int], ...] = (
    ("Harbor Audio Network", "enterprise", 40_000),
    ("Brightside Media Agency", "standard", 15_000),
    ("Fern Wear", "free", 3_000),
)


def demo_tenants(scale: float = 1.0) -> list[tuple[str, str, int]]:
    """The demo's tenants as (name, tier, journeys), journeys multiplied by `scale` (at least 1 each)."""
    return [(name, tier, max(1, round(journeys * scale))) for name, tier, journeys in DEMO_TENANTS]
