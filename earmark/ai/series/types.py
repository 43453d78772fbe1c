"""A daily series as the models read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np


@dataclass(frozen=True)
class DailySeries:
    start: date
    values: np.ndarray  # float64, one per consecutive day from `start`; NaN = missing day
    metric: str  # downloads, impressions, site_visits, conversions, revenue, spend or a tenant's own name
    release_dates: tuple[date, ...] | None = None  # known release days (may run into the future); None: learn
    country: str = "US"  # ISO 3166-1 alpha-2, for the holiday calendar

    @property
    def end(self) -> date:
        return self.start + timedelta(days=len(self.values) - 1)

    def day(self, index: int) -> date:
        return self.start + timedelta(days=int(index))
