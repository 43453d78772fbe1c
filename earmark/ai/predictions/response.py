"""Weekly conversions as a saturating function of weekly spend, per show and slot.

The curve is a power law with an elasticity below one, conversions = exp(a) x spend^b with 0 < b <= 1
(each extra dollar buys less than the one before: saturation, as in Robyn's and PyMC-Marketing's response
curves, in the form whose marginal return has a closed form). It is fitted on log(conversions + 0.5)
against log(spend) by statsmodels' robust regression. A curve with few weeks borrows from the pooled
curve of the tenant's placements of the same slot and kind (never another tenant's): its parameters are
shrunk toward the pool's with weight n / (n + PRIOR_WEEKS), empirical-Bayes style. Intervals come from a
seeded residual bootstrap of the whole fit (BOOTSTRAP draws), with each draw's Poisson noise.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm

VERSION = "earmark-response-1.0"
PRIOR_WEEKS = 8
MIN_ELASTICITY, MAX_ELASTICITY = 0.05, 1.0
BOOTSTRAP = 200
OFFSET = 0.5


@dataclass(frozen=True)
class Curve:
    a: float
    b: float
    sigma: float  # residual scale on the log scale
    weeks: int
    pooled: bool
    draws: np.ndarray  # BOOTSTRAP x 2 (a, b)

    def conversions(self, spend: float | np.ndarray) -> np.ndarray:
        spend = np.maximum(np.asarray(spend, dtype=float), 1e-9)
        return np.maximum(np.exp(self.a + np.log(spend) * self.b + self.sigma ** 2 / 2) - OFFSET, 0.0)

    def marginal(self, spend: float) -> float:
        """d(conversions)/d(spend) at `spend`."""
        spend = max(spend, 1e-9)
        return float(self.b * np.exp(self.a + self.sigma ** 2 / 2) * spend ** (self.b - 1))

    def drawn(self, spend: float) -> np.ndarray:
        """Expected conversions at `spend` under each bootstrap draw."""
        spend = max(spend, 1e-9)
        return np.maximum(np.exp(self.draws[:, 0] + np.log(spend) * self.draws[:, 1] + self.sigma ** 2 / 2)
                          - OFFSET, 0.0)

    def as_json(self) -> dict:
        return {"a": round(self.a, 5), "elasticity": round(self.b, 5), "sigma": round(self.sigma, 5),
                "weeks": self.weeks, "pooled": self.pooled}


def _fit_ab(spend: np.ndarray, conversions: np.ndarray) -> tuple[float, float, float]:
    x, y = np.log(np.maximum(spend, 1e-9)), np.log(conversions + OFFSET)
    if x.size < 4 or np.ptp(x) < 1e-6:  # too few weeks or one spend level: no elasticity to see, take 0.5
        return float(np.median(y - 0.5 * x)), 0.5, float(np.std(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = sm.RLM(y, sm.add_constant(x), M=sm.robust.norms.HuberT()).fit()
    a, b = (float(v) for v in result.params)
    b = min(max(b, MIN_ELASTICITY), MAX_ELASTICITY)
    a = float(np.median(y - b * x))
    residual = y - a - b * x
    return a, b, float(1.4826 * np.median(np.abs(residual - np.median(residual))) or np.std(residual))


def fit_curve(spend: np.ndarray, conversions: np.ndarray, rng: np.random.Generator,
              prior: Curve | None = None) -> Curve:
    spend, conversions = np.asarray(spend, float), np.asarray(conversions, float)
    a, b, sigma = _fit_ab(spend, conversions)
    n = spend.size
    pooled = prior is not None and n < 3 * PRIOR_WEEKS
    if pooled:
        w = n / (n + PRIOR_WEEKS)
        b = w * b + (1 - w) * prior.b
        x, y = np.log(np.maximum(spend, 1e-9)), np.log(conversions + OFFSET)
        a = w * float(np.median(y - b * x)) + (1 - w) * prior.a
        sigma = max(sigma, prior.sigma)
    draws = np.empty((BOOTSTRAP, 2))
    x, y = np.log(np.maximum(spend, 1e-9)), np.log(conversions + OFFSET)
    residual = y - a - b * x
    for k in range(BOOTSTRAP):
        yb = a + b * x + rng.choice(residual, size=n, replace=True)
        # least squares in the draws: 200 robust fits per curve would cost a second a placement
        slope = np.polyfit(x, yb, 1)[0] if np.ptp(x) > 1e-6 else b
        bb = min(max(float(slope), MIN_ELASTICITY), MAX_ELASTICITY)
        if pooled:
            bb = w * bb + (1 - w) * prior.b
        ab_a = float(np.median(yb - bb * x))
        if pooled:
            ab_a = w * ab_a + (1 - w) * prior.a
        draws[k] = (ab_a, bb)
    return Curve(a, b, max(sigma, 1e-3), n, bool(pooled), draws)
