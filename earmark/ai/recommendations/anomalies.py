"""Anomalies that need action: a drop in a show's downloads or impressions while money is running on it.

A dip, an outage, a downward level shift or a missed release on a show with active placements costs the
advertiser delivery: check the feed and the ad server, and ask for a make-good of the shortfall. The
effect is that shortfall in impressions (expected - actual), with the band's edges as its interval. A
downloads spike that one IP key carries is traffic to exclude from billing. A show without running spend
needs no action from the advertiser, so it gets none.
"""

from __future__ import annotations

from collections import defaultdict

from earmark.ai.recommendations.types import Recommendation

VERSION = "earmark-anomaly-actions-1.0"
DELIVERY = ("downloads", "impressions")


def anomaly_actions(anomalies: list[dict], active_placements: list[dict], *,
                    attribution_model: str) -> list[Recommendation]:
    spending: dict[str, float] = defaultdict(float)
    for p in active_placements:
        spending[p["show_id"]] += float(p.get("spend_per_day") or 0.0)
    found = []
    for a in sorted(anomalies, key=lambda a: (a["date"], a.get("show_id") or "", a["metric"])):
        show = a.get("show_id")
        if show is None or a["metric"] not in DELIVERY or spending.get(show, 0.0) <= 0:
            continue
        actual, expected = float(a["actual"]), float(a["expected"])
        lower, upper = float(a.get("lower", expected)), float(a.get("upper", expected))
        model = {"name": "earmark-anomaly-actions", "version": VERSION,
                 "attribution_model": attribution_model}
        evidence = {"anomaly": a.get("explanation"), "kind": a["kind"], "date": str(a["date"]),
                    "actual": actual, "expected": expected, "show_spend_per_day": round(spending[show], 2)}
        if actual < expected and a["kind"] in ("dip", "level_shift", "pattern_break"):
            short = expected - actual
            found.append(Recommendation(
                kind="anomaly_action", target=f"{show} {a['metric']} {a['date']}",
                action=(f"Check {show}'s feed and ad server: {a['metric']} were {short:,.0f} under the "
                        f"expected on {a['date']} while {spending[show]:,.0f} a day is running on the show; "
                        "ask for a "
                        "make-good of the shortfall."),
                effect=round(short, 2), effect_lower=round(max(lower - actual, 0.0), 2),
                effect_upper=round(max(upper - actual, short), 2), effect_unit=a["metric"],
                evidence=evidence, model=model))
        elif actual > expected and a["kind"] == "spike" and a.get("dimension") == "ip_key":
            excess = (actual - expected) * float(a.get("dimension_share") or 0.0)
            found.append(Recommendation(
                kind="anomaly_action", target=f"{show} {a['metric']} {a['date']}",
                action=(f"Exclude IP key {a.get('dimension_value')} from {a['date']}'s billing on {show}: it "
                        f"carried {excess:,.0f} of the day's excess {a['metric']}."),
                effect=round(excess, 2), effect_lower=round(excess * 0.8, 2), effect_upper=round(excess, 2),
                effect_unit=a["metric"], evidence=evidence, model=model))
    return found
