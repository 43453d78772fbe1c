"""The demo's tenants: tiers that exist, sizes that keep `make demo` fast and inside tier quotas."""

from __future__ import annotations

from datetime import date

import polars as pl

from earmark.demo import demo_tenants, generate_events
from earmark.tenancy import tier_limits


def test_three_tenants_of_different_tiers_and_sizes():
    tenants = demo_tenants()
    assert [tier for _, tier, _ in tenants] == ["enterprise", "standard", "free"]
    assert {tier for _, tier, _ in tenants} <= set(tier_limits())
    sizes = [journeys for _, _, journeys in tenants]
    assert sizes == sorted(sizes, reverse=True)
    assert len({name for name, _, _ in tenants}) == 3
    # About four events a journey: a few hundred thousand events in all.
    assert 150_000 < 4 * sum(sizes) < 400_000


def test_scale_multiplies_journeys_and_keeps_at_least_one():
    assert [j for _, _, j in demo_tenants(scale=0.1)] == [4_000, 1_500, 300]
    assert [j for _, _, j in demo_tenants(scale=0.0)] == [1, 1, 1]


def test_the_free_tenant_fits_its_monthly_event_quota():
    name, tier, journeys = demo_tenants()[-1]
    events = generate_events(journeys, seed=1, start=date(2026, 8, 27))
    busiest_month = events.group_by(pl.col("occurred_at").dt.truncate("1mo")).len()["len"].max()
    assert busiest_month < tier_limits()[tier].events_per_month
