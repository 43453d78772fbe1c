"""One sentence per anomaly that a media buyer can read: what the day was, against what, and what made it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from earmark.ai.anomalies.detect import Anomaly

KIND_WORDS = {"spike": "above", "dip": "below", "level_shift": "away from", "pattern_break": "against"}


def _number(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"


def _label(metric: str) -> str:
    return metric.replace("_", " ").capitalize()


def explain(anomaly: Anomaly, metric: str, *, release: bool, weekday: str,
            contribution: tuple[str, str, float] | None = None) -> str:
    day = f"a {weekday} release" if release else f"a {weekday}"
    actual, expected = anomaly.actual, anomaly.expected
    if anomaly.kind == "pattern_break" and anomaly.detail:
        sentence = (f"The release pattern changed on {day.replace(' release', '')}: {anomaly.detail} "
                    f"({_label(metric).lower()} {_number(actual)}, {_number(expected)} expected)")
    elif anomaly.kind == "pattern_break":
        if actual < expected:
            sentence = (f"No release peak on {day.replace(' release', '')} when the show's schedule expected "
                        f"one: {_label(metric).lower()} {_number(actual)} against the expected "
                        f"{_number(expected)}")
        else:
            sentence = (f"A release peak off the show's schedule on {day}: {_label(metric).lower()} "
                        f"{_number(actual)} against the expected {_number(expected)}")
    elif anomaly.kind == "level_shift":
        change = (actual / expected - 1) * 100 if expected else 0.0
        sentence = (f"{_label(metric)} moved to a new level: {_number(actual)} on {day}, {change:+.0f} % "
                    f"from the {_number(expected)} expected before the change")
    elif actual == 0 and expected > 0:
        sentence = (f"{_label(metric)} fell to 0 on {day}, against the expected {_number(expected)} "
                    "(an outage?)")
    elif expected > 0 and actual > expected:
        sentence = f"{_label(metric)} {actual / expected:.1f}× the expected {_number(expected)} for {day}"
    elif expected > 0:
        sentence = (f"{_label(metric)} {(1 - actual / expected) * 100:.0f} % below the expected "
                    f"{_number(expected)} for {day}")
    else:
        sentence = f"{_label(metric)} {_number(actual)} against the expected {_number(expected)} for {day}"
    if contribution is not None:
        label, value, share = contribution
        gap = "excess" if actual >= expected else "shortfall"
        sentence += f"; {share * 100:.0f} % of the {gap} came from {label} {value}"
    return sentence + "."
