"""A hand-worked month (March 2025) for the allocation tests: four tenants that existed since January, two
price book versions (the second from March 16th) and a few days of usage, with every figure worked out here
by hand (test_allocation.py says how)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from earmark import db
from earmark.cost import ledger, price_book
from earmark.cost.ledger import UsageEvent
from earmark.tenancy import Tenant, create_tenant

UNIT_PRICES = """
[prices.compute_seconds]
price = 0.01
[prices.db_seconds]
price = {db_price}
[prices.db_rows]
price = 1.00
per = 1_000_000
[prices.storage_bytes]
price = 0.10
per = 1_000_000_000
per_month = true
[prices.api_requests]
price = 1.00
per = 1000
"""

SHARED = """
[shared.database]
monthly = {database}
rule = "metric"
metric = "db_seconds"
capacity_per_day = 1000
[shared.orchestrator]
monthly = 100.00
metric = "compute_seconds"
[shared.api_hosts]
monthly = 31.00
rule = "even"
[shared.support]
monthly = 62.00
rule = "weighted"
"""


@dataclass(frozen=True)
class March:
    t1: Tenant  # standard
    t2: Tenant  # enterprise
    t3: Tenant  # free
    t4: Tenant  # standard, never uses anything

    @property
    def tenants(self) -> list[Tenant]:
        return [self.t1, self.t2, self.t3, self.t4]


def _book(version: str, effective: str, db_price: str, database: str) -> price_book.PriceBook:
    text = (f'version = "{version}"\neffective_from = {effective}\n'
            + UNIT_PRICES.format(db_price=db_price) + SHARED.format(database=database))
    return price_book.parse(text, f"{version}.toml")


def _event(tenant, day: int, resource: str, quantity, **extra) -> UsageEvent:
    return UsageEvent(tenant.id if tenant else None, "test", f"march-{uuid.uuid4().hex}", resource,
                      date(2025, 3, day), Decimal(quantity), extra.pop("resource_id", resource), **extra)


def set_up_march() -> March:
    tag = uuid.uuid4().hex[:8]
    with db.connect("owner") as conn:
        tenants = [create_tenant(conn, f"march-{tag}-{n}", tier)
                   for n, tier in enumerate(("standard", "enterprise", "free", "standard"), 1)]
        # They existed all of 2025: the even and weighted rules share a day among the tenants of that day.
        conn.execute("update app.tenants set created_at = '2025-01-01T00:00:00Z' where id = any(%s)",
                     [[t.id for t in tenants]])
        price_book.ensure_default(conn)
        # database 310.00 a month is 1000 cents a day in March; from the 16th 620.00 (2000 cents) and a
        # db_second at 0.04 instead of 0.02
        price_book.load_book(conn, _book(f"march-a-{tag}", "2025-03-01", "0.02", "310.00"), "a",
                             retroactive=True)
        price_book.load_book(conn, _book(f"march-b-{tag}", "2025-03-16", "0.04", "620.00"), "b",
                             retroactive=True)
        t1, t2, t3, t4 = tenants
        events = [
            # the 3rd: t1 alone uses the database and the orchestrator
            _event(t1, 3, "db_seconds", 100), _event(t1, 3, "compute_seconds", 50),
            _event(t3, 3, "storage_bytes", 3_100_000_000),
            _event(t2, 3, "llm_output_tokens", 1000, billed_cost=Decimal("0.123456"),
                   resource_id="openai/gpt-5.4", service_provider="OpenAI"),
            # the 4th: three tenants, one db_second each
            _event(t1, 4, "db_seconds", 1), _event(t2, 4, "db_seconds", 1), _event(t3, 4, "db_seconds", 1),
            # the 20th (second book): t2 and usage nobody can be charged for, 500 db_seconds each
            _event(t2, 20, "db_seconds", 500),
            _event(None, 20, "db_seconds", 500, resource_id="unattributed"),
        ]
        with conn.transaction():
            assert ledger.record(conn, events) == len(events)
    return March(*tenants)
