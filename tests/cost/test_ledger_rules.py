"""The ledger's pure rules: largest-remainder splits, and step time per tenant and UTC day."""

from datetime import UTC, datetime
from decimal import Decimal
from uuid import uuid4

from hypothesis import given
from hypothesis import strategies as st

from earmark.cost.ledger import split
from earmark.cost.resources import COMPUTE_SECONDS, DB_ROWS, DB_SECONDS
from earmark.cost.steps import StepAttempt, usage_events

A, B, C = sorted(uuid4() for _ in range(3))


def test_split_thirds_gives_the_leftover_quantum_to_the_first_key():
    assert split(Decimal("1.00"), {A: 1, B: 1, C: 1}, Decimal("0.01")) == {
        A: Decimal("0.34"), B: Decimal("0.33"), C: Decimal("0.33")}


def test_split_gives_leftovers_to_the_largest_remainders():
    # 2.00 by 3:10:1:3 of 17 -> 35.29, 117.65, 11.76, 35.29 cents: floors 198, the two cents to 11.76
    # and 117.65
    d = uuid4()
    parts = split(Decimal("2.00"), {A: 3, B: 10, C: 1, d: 3}, Decimal("0.01"))
    assert parts == {A: Decimal("0.35"), B: Decimal("1.18"), C: Decimal("0.12"), d: Decimal("0.35")}


def test_split_leaves_out_zero_weights_and_has_nothing_to_split_by_without_any():
    assert split(Decimal("5"), {A: 0, B: 2}) == {B: Decimal("5.000000")}
    assert split(Decimal("5"), {A: 0}) == {}


@given(total=st.decimals(min_value=0, max_value=10**9, places=8),
       weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=8))
def test_split_always_adds_up_exactly_and_never_goes_negative(total, weights):
    keys = [f"k{i}" for i in range(len(weights))]
    parts = split(total, dict(zip(keys, weights, strict=True)))
    if any(weights):
        # exactly the total, or (given finer than the quantum) the total rounded down to the quantum
        total = (total // Decimal("0.000001")) * Decimal("0.000001")
        assert sum(parts.values()) == total
        assert all(p >= 0 for p in parts.values())
        # no part is more than one quantum away from its exact share
        whole = sum(weights)
        for key, weight in zip(keys, weights, strict=True):
            if weight:
                assert abs(parts[key] - total * weight / whole) < Decimal("0.000001")
    else:
        assert parts == {}


def _step(**fields) -> StepAttempt:
    base = {"run_id": "run-1", "step_key": "download_counts", "attempt": 1,
            "started": datetime(2026, 3, 1, 10, 0, tzinfo=UTC),
            "ended": datetime(2026, 3, 1, 10, 0, 9, tzinfo=UTC)}
    return StepAttempt(**{**base, **fields})


def _by(events, resource):
    return {(e.tenant_id, e.usage_date.isoformat()): e.quantity for e in events if e.resource == resource}


def test_a_step_serving_several_tenants_is_split_by_their_rows():
    events = usage_events(_step(rows_by_tenant={A: 1, B: 2}), {A, B})
    assert _by(events, COMPUTE_SECONDS) == {(A, "2026-03-01"): Decimal(3), (B, "2026-03-01"): Decimal(6)}
    assert _by(events, DB_SECONDS) == _by(events, COMPUTE_SECONDS)
    assert _by(events, DB_ROWS) == {(A, "2026-03-01"): 1, (B, "2026-03-01"): 2}
    assert {e.tags["measure"] for e in events if e.resource == DB_SECONDS} == {"step_wall_time"}


def test_a_tenant_partitioned_step_serves_its_tenant_and_an_unknown_one_is_unattributed():
    assert _by(usage_events(_step(partition_key=str(A)), {A, B}), COMPUTE_SECONDS) == {(A, "2026-03-01"): 9}
    unknown = usage_events(_step(partition_key="2026-03-01"), {A, B})
    assert _by(unknown, COMPUTE_SECONDS) == {(None, "2026-03-01"): 9}
    # rows reported for a tenant that does not exist (deleted since) are not charged to anyone by name
    assert _by(usage_events(_step(rows_by_tenant={uuid4(): 5}), {A}), COMPUTE_SECONDS) == {
        (None, "2026-03-01"): 9}


def test_a_step_across_midnight_gives_each_day_its_own_seconds_to_the_microsecond():
    step = _step(started=datetime(2026, 3, 1, 23, 59, 58, 750000, tzinfo=UTC),
                 ended=datetime(2026, 3, 2, 0, 0, 1, 500000, tzinfo=UTC), rows_by_tenant={A: 1})
    events = usage_events(step, {A})
    assert _by(events, COMPUTE_SECONDS) == {(A, "2026-03-01"): Decimal("1.25"),
                                            (A, "2026-03-02"): Decimal("1.5")}
    # each day is its own source event, so a replay of the step matches row for row
    assert len({e.source_event_id for e in events if e.resource == COMPUTE_SECONDS}) == 2
