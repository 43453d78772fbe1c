"""Incrementality lift (issue 17): exposed households against control households matched on show and week.

A row is one household in one stratum, a (show, week of listening) cell: `exposed` says whether the
campaign delivered it at least one ad there, `outcome` whether (0/1) or how often (a count) it visited or
converted within the window after its first listen in that cell. A control household downloaded episodes
of the same show in the same week without a delivered ad of the campaign. The unit everywhere (counts,
resampling, power) is the row: a household listening in two cells is two rows.

Matching is direct standardisation: the control rate is each stratum's control rate weighted by the exposed
households' share of that stratum, so a campaign that runs where listeners visit more anyway is not
credited with their habits. Only strata with both groups are compared; the exposed households of a stratum
without control (and the control households of one without exposed) are counted as dropped.

The interval is a stratified percentile bootstrap: the households of each group in each stratum are drawn
with replacement, keeping every cell's size, `resamples` times from a fixed seed. Drawing n rows whose
outcomes take the distinct values v_1..v_k with counts c_1..c_k is a multinomial draw of how often each
value comes up; it is drawn as a chain of binomials for all cells and resamples at once (one binomial for
0/1 outcomes), the same distribution as drawing row indices without building resamples × rows of them.

The minimum detectable lift is the usual two-proportion one (two-sided alpha 0.05, power 0.80) for the two
group sizes and the matched control rate; it ignores the weighting, so it is a guide, not a guarantee.

Pure: numpy and the standard library only, no database and no framework.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from statistics import NormalDist

import numpy as np

from earmark.errors import EarmarkError

DEFAULT_RESAMPLES = 2000
MIN_RESAMPLES = 1000  # the issue: "at least 1,000 resamples"
DEFAULT_SEED = 20261203
CONFIDENCE = 0.95
POWER = 0.80
ALPHA = 1 - CONFIDENCE

_MINUS = "\u2212"
_VERBS = {"visits": "visited", "conversions": "converted"}


class LiftError(EarmarkError, ValueError):
    """Input a lift cannot be computed from; the sentence says what is wrong."""


@dataclass(frozen=True, eq=False)
class LiftInput:
    """One row per household per (show, week) stratum it listened in; `lift(*data)` unpacks it."""

    strata: np.ndarray
    exposed: np.ndarray
    outcome: np.ndarray

    def __post_init__(self) -> None:
        strata = np.asarray(self.strata)
        exposed = np.asarray(self.exposed)
        outcome = np.asarray(self.outcome)
        if strata.ndim != 1 or exposed.ndim != 1 or outcome.ndim != 1:
            raise LiftError("strata, exposed and outcome must be one-dimensional arrays.")
        if not strata.size == exposed.size == outcome.size:
            raise LiftError(f"strata, exposed and outcome differ in length "
                            f"({strata.size}, {exposed.size}, {outcome.size}).")
        if strata.size and not np.issubdtype(strata.dtype, np.integer):
            raise LiftError(f"strata must be integer (show, week) cell ids, not {strata.dtype}.")
        if exposed.dtype != np.bool_:
            numeric = np.issubdtype(exposed.dtype, np.number)
            if exposed.size and not (numeric and np.isin(exposed, (0, 1)).all()):
                raise LiftError("exposed must be booleans (or 0 and 1).")
            exposed = exposed.astype(np.bool_)
        if outcome.size and not np.issubdtype(outcome.dtype, np.number):
            raise LiftError(f"outcome must be 0/1 or counts, not {outcome.dtype}.")
        outcome = outcome.astype(np.float64)
        if not np.isfinite(outcome).all() or (outcome < 0).any():
            raise LiftError("outcome must be finite and not negative (0/1 or counts).")
        object.__setattr__(self, "strata", strata.astype(np.int64))
        object.__setattr__(self, "exposed", exposed)
        object.__setattr__(self, "outcome", outcome)

    def __iter__(self) -> Iterator[np.ndarray]:
        return iter((self.strata, self.exposed, self.outcome))

    def __len__(self) -> int:
        return int(self.strata.size)


@dataclass(frozen=True)
class Lift:
    """The lift of one metric: rates, interval, group sizes, power and one sentence for a media buyer.

    `lift`, `ci_low` and `ci_high` are relative ((exposed - control) / control); `lift` is None with a
    `reason` when there is nothing to compare or the control rate is 0, and a bound is None when it is
    unbounded (some resamples had a control rate of 0)."""

    metric: str
    exposed_households: int  # in strata that have control households too
    control_households: int  # in strata that have exposed households too
    dropped_exposed: int  # exposed households of strata without control
    dropped_control: int  # control households of strata without exposed
    strata: int  # strata compared
    exposed_rate: float | None
    control_rate: float | None  # standardised to the exposed households' strata
    lift: float | None
    ci_low: float | None
    ci_high: float | None
    confidence: float
    resamples: int
    seed: int
    significant: bool  # the interval excludes 0
    minimum_detectable_lift: float | None  # relative, at two-sided alpha 0.05 and 80 % power
    reason: str | None
    statement: str

    def as_json(self) -> dict:
        return asdict(self)


def lift(strata, exposed, outcome, metric: str = "visits", resamples: int = DEFAULT_RESAMPLES,
         seed: int = DEFAULT_SEED) -> Lift:
    """Lift of `metric`, exposed against matched control households, with a stratified bootstrap interval."""
    data = LiftInput(strata, exposed, outcome)
    if int(resamples) != resamples or resamples < MIN_RESAMPLES:
        raise LiftError(f"resamples must be a whole number of at least {MIN_RESAMPLES:,}, not {resamples}.")
    resamples = int(resamples)

    codes, index = np.unique(data.strata, return_inverse=True)
    n_e = np.bincount(index[data.exposed], minlength=codes.size)
    n_c = np.bincount(index[~data.exposed], minlength=codes.size)
    matched = (n_e > 0) & (n_c > 0)
    keep = matched[index]
    stratum = (np.cumsum(matched) - 1)[index[keep]]
    group = data.exposed[keep].astype(np.int64)
    y = data.outcome[keep]
    n_e, n_c = n_e[matched], n_c[matched]
    total_e, total_c = int(n_e.sum()), int(n_c.sum())
    base = dict(metric=metric, exposed_households=total_e, control_households=total_c,
                dropped_exposed=int(data.exposed[~keep].sum()),
                dropped_control=int((~data.exposed[~keep]).sum()),
                strata=int(matched.sum()), confidence=CONFIDENCE, resamples=resamples, seed=int(seed))
    if not matched.any():
        return _undefined(base, None, None, "no show and week has both exposed and control households")

    cells = 2 * matched.sum()  # cell 2s is stratum s's control, 2s + 1 its exposed
    cell = 2 * stratum + group
    n_cell = np.bincount(cell, minlength=cells)
    sum_cell = np.bincount(cell, weights=y, minlength=cells)
    weights = n_e / total_e
    exposed_rate = float(sum_cell[1::2].sum() / total_e)
    control_rate = float(weights @ (sum_cell[0::2] / n_c))
    if control_rate == 0:
        return _undefined(base, exposed_rate, control_rate,
                          f"no matched control household {_verb(metric)}, so the control rate is 0 and a "
                          f"relative lift is undefined")

    point = exposed_rate / control_rate - 1
    sums = _resampled_sums(cell, y, n_cell, resamples, np.random.default_rng(seed))
    exposed_b = sums[:, 1::2].sum(axis=1) / total_e
    control_b = (sums[:, 0::2] / n_c) @ weights
    with np.errstate(divide="ignore", invalid="ignore"):
        lifts = exposed_b / control_b - 1
    # a resample without a single control outcome: infinitely many times more if exposed had any, else none
    zero = control_b == 0
    lifts[zero] = np.where(exposed_b[zero] > 0, np.inf, 0.0)
    with np.errstate(invalid="ignore"):
        bounds = np.quantile(lifts, [ALPHA / 2, 1 - ALPHA / 2])
    low, high = (float(b) if np.isfinite(b) else None for b in bounds)
    significant = (low is not None and low > 0) or (high is not None and high < 0)

    binary = bool(np.isin(y, (0.0, 1.0)).all())
    control_y = y[group == 0]
    variance = control_rate * (1 - control_rate) if binary else (
        float(np.var(control_y, ddof=1)) if control_y.size > 1 else 0.0)
    mde = minimum_detectable_lift(control_rate, total_e, total_c, variance=variance)
    result = dict(base, exposed_rate=exposed_rate, control_rate=control_rate, lift=float(point), ci_low=low,
                  ci_high=high, significant=bool(significant), minimum_detectable_lift=mde, reason=None)
    return Lift(**result, statement=_statement(result))


def minimum_detectable_lift(control_rate: float, exposed_households: int, control_households: int, *,
                            variance: float | None = None, alpha: float = ALPHA,
                            power: float = POWER) -> float | None:
    """Smallest relative lift a two-sided test at `alpha` detects with probability `power`.

    MDE_abs = (z_{1-alpha/2} + z_power) * sqrt(v * (1/n_e + 1/n_c)) with v = p(1-p) for proportions (or
    the given outcome variance), relative = MDE_abs / p; None when p is 0 or a group is empty."""
    if control_rate <= 0 or exposed_households <= 0 or control_households <= 0:
        return None
    v = control_rate * (1 - control_rate) if variance is None else variance
    z = NormalDist().inv_cdf(1 - alpha / 2) + NormalDist().inv_cdf(power)
    return float(z * math.sqrt(v * (1 / exposed_households + 1 / control_households)) / control_rate)


def simulate(rng_seed: int, n_households: int, true_lift: float, base_rate: float = 0.05, n_strata: int = 20,
             *, confounded: bool = True) -> LiftInput:
    """Seeded households in `n_strata` (show, week) strata with a known lift, for tests and demos.

    Strata differ in base rate (0.4 to 1.6 times `base_rate`) and size; an exposed household's rate is its
    stratum's base rate × (1 + true_lift). With `confounded` the campaign reaches 10 % of the households of
    the stratum with the lowest base rate up to 60 % of the one with the highest, so a pooled comparison
    overstates the lift while the stratified one does not; without it every stratum is 35 % exposed."""
    if n_households < 1 or n_strata < 1:
        raise LiftError("simulate needs at least one household and one stratum.")
    top = base_rate * 1.6 * (1 + true_lift)
    if base_rate <= 0 or true_lift <= -1 or top > 1:
        raise LiftError(f"base rate {base_rate} and lift {true_lift} do not give rates between 0 and 1.")
    rng = np.random.default_rng(rng_seed)
    t = np.linspace(0.0, 1.0, n_strata) if n_strata > 1 else np.array([0.5])
    stratum_rate = base_rate * (0.4 + 1.2 * t)
    share = 0.1 + 0.5 * t if confounded else np.full(n_strata, 0.35)
    size = rng.uniform(0.5, 1.5, n_strata)
    strata = rng.choice(n_strata, size=n_households, p=size / size.sum())
    exposed = rng.random(n_households) < share[strata]
    rate = stratum_rate[strata] * np.where(exposed, 1 + true_lift, 1.0)
    outcome = (rng.random(n_households) < rate).astype(np.int64)
    return LiftInput(strata=strata, exposed=exposed, outcome=outcome)


def _resampled_sums(cell: np.ndarray, y: np.ndarray, n_cell: np.ndarray, resamples: int,
                    rng: np.random.Generator) -> np.ndarray:
    """(resamples, cells): each cell's outcome total after drawing its rows with replacement."""
    order = np.lexsort((y, cell))
    cell_s, y_s = cell[order], y[order]
    first = np.ones(cell_s.size, dtype=bool)
    first[1:] = (cell_s[1:] != cell_s[:-1]) | (y_s[1:] != y_s[:-1])
    starts = np.flatnonzero(first)
    pair_cell, pair_value = cell_s[starts], y_s[starts]
    pair_count = np.diff(np.append(starts, cell_s.size))
    distinct = np.bincount(pair_cell, minlength=n_cell.size)
    width = int(distinct.max())
    # right-aligned: a cell's last distinct value is in the last slot, which takes whatever rows are left
    rank = np.arange(starts.size) - (np.cumsum(distinct) - distinct)[pair_cell]
    slot = width - distinct[pair_cell] + rank
    values = np.zeros((n_cell.size, width))
    counts = np.zeros((n_cell.size, width), dtype=np.int64)
    values[pair_cell, slot] = pair_value
    counts[pair_cell, slot] = pair_count
    left = n_cell[:, None] - np.cumsum(counts, axis=1) + counts  # rows of this slot and the later ones
    remaining = np.repeat(n_cell[None, :], resamples, axis=0)
    sums = np.zeros((resamples, n_cell.size))
    for k in range(width - 1):
        p = np.divide(counts[:, k], left[:, k], out=np.zeros(n_cell.size), where=left[:, k] > 0)
        drawn = rng.binomial(remaining, p)
        sums += drawn * values[:, k]
        remaining -= drawn
    sums += remaining * values[:, width - 1]
    return sums


def _undefined(base: dict, exposed_rate: float | None, control_rate: float | None, reason: str) -> Lift:
    result = dict(base, exposed_rate=exposed_rate, control_rate=control_rate, lift=None, ci_low=None,
                  ci_high=None, significant=False, minimum_detectable_lift=None, reason=reason)
    return Lift(**result, statement=_statement(result))


def _verb(metric: str) -> str:
    return _VERBS.get(metric, f"had a {metric} outcome")


def _pct(x: float | None, signed: bool = False) -> str:
    if x is None:
        return "unbounded"
    v = x * 100
    text = f"{abs(v):,.0f}" if abs(v) >= 1 else f"{abs(v):.1f}"
    if text in ("0", "0.0"):
        return "0 %"
    sign = _MINUS if v < 0 else ("+" if signed else "")
    return f"{sign}{text} %"


def _statement(r: dict) -> str:
    n_e, n_c = r["exposed_households"], r["control_households"]
    dropped = r["dropped_exposed"]
    tail = "" if not dropped else (
        f" {dropped:,} exposed household{'s' if dropped != 1 else ''} had no control household on the same "
        f"show in the same week and {'are' if dropped != 1 else 'is'} left out.")
    if r["lift"] is None:
        return (f"No lift can be given: {r['reason']} ({n_e:,} exposed, {n_c:,} control households "
                f"compared).{tail}")
    interval = f"{_pct(r['ci_low'])} to {_pct(r['ci_high'])}"
    if r["significant"]:
        size, up = _pct(abs(r["lift"])), r["lift"] > 0
        metric = r["metric"]
        if metric in _VERBS:
            claim = f"Exposed households {_VERBS[metric]} {size} {'more' if up else 'less'} often than"
        else:
            claim = f"Exposed households' {metric} rate was {size} {'higher' if up else 'lower'} than that of"
        return (f"{claim} matched control households (95 % CI {interval}; {n_e:,} exposed, "
                f"{n_c:,} control).{tail}")
    interval = f"{_pct(r['ci_low'], signed=True)} to {_pct(r['ci_high'], signed=True)}"
    mde = r["minimum_detectable_lift"]
    power = ("" if mde is None else
             f"; with {n_e:,} exposed and {n_c:,} control households only a lift of at least {_pct(mde)} "
             f"would be detected 80 % of the time")
    return (f"The groups are too small to tell: the 95 % interval ({interval}) includes no effect"
            f"{power}.{tail}")
