"""One night of a tenant's planning models: what each running campaign's placements will deliver over the next
PLAN_WEEKS at their recent spend, and the recommendations (budget shifts, ad-read fixes, anomalies that need
action), each with the model it assumes. Inputs are read as they stood at the end of `as_of`; the night's
outputs replace earlier ones (earmark.ai.insights.store).
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import date, timedelta

import psycopg

from earmark import db
from earmark.ai.insights.nightly import NightSummary
from earmark.ai.insights.series import tenant_settings
from earmark.ai.insights.store import replace_night
from earmark.ai.predictions import PlacementWeek, PlannedSpend, predict_campaign
from earmark.ai.recommendations import ad_read_fixes, anomaly_actions, budget_shifts
from earmark.sqlfiles import load

PLAN_WEEKS = 4
SEED = 0
# Anomalies this recent are still worth acting on.
ACTIONABLE_DAYS = 7


def _q(name: str) -> str:
    return load("earmark.ai.insights", name)


def _dicts(cur: psycopg.Cursor) -> list[dict]:
    names = [c.name for c in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def placement_history(conn: psycopg.Connection, tenant_id: str, as_of: date) -> list[PlacementWeek]:
    rows = _dicts(conn.execute(_q("placement_weeks"), {"tenant_id": tenant_id, "as_of": as_of}))
    return [PlacementWeek(**{k: (float(v) if k in ("spend", "impressions", "conversions", "revenue") else v)
                             for k, v in row.items()}) for row in rows]


def active_placements(conn: psycopg.Connection, tenant_id: str, as_of: date) -> list[dict]:
    return _dicts(conn.execute(_q("active_placements"), {"tenant_id": tenant_id, "as_of": as_of}))


def planned_spend(active: list[dict]) -> dict[str, list[PlannedSpend]]:
    """Per campaign: each (show, slot, kind) of its running placements at its last 28 days' weekly spend."""
    weekly: dict[tuple, float] = defaultdict(float)
    for row in active:
        key = (row["campaign_id"], row["show_id"], row["slot"], row["kind"])
        weekly[key] += 7 * float(row["spend_per_day"])
    plans: dict[str, list[PlannedSpend]] = defaultdict(list)
    for (campaign_id, show_id, slot, kind), spend in sorted(weekly.items()):
        if spend > 0:
            plans[campaign_id].append(PlannedSpend(show_id=show_id, slot=slot, weekly_spend=spend, kind=kind,
                                                   weeks=PLAN_WEEKS))
    return plans


def predict_campaigns(tenant_id: str, as_of: date, *, run_id: str | None = None) -> NightSummary:
    started = time.perf_counter()
    summary = NightSummary("campaign_predictions", tenant_id, as_of)
    with db.connect("transformer") as conn, db.tenant_transaction(conn, tenant_id):
        history = placement_history(conn, tenant_id, as_of)
        plans = planned_spend(active_placements(conn, tenant_id, as_of))
        rows, fits = [], []
        for campaign_id, planned in plans.items():
            summary.series += 1
            try:
                prediction = predict_campaign(history, planned, seed=SEED)
            except ValueError as exc:
                summary.skip(str(exc))
                continue
            summary.modelled += 1
            for p in prediction.placements:
                rows.append({"campaign_id": campaign_id, "show_id": p.show_id, "slot": p.slot, "kind": p.kind,
                             "weeks": PLAN_WEEKS, "spend": p.spend, "conversions": p.conversions,
                             "conversions_lower": p.conversions_lower,
                             "conversions_upper": p.conversions_upper,
                             "roas": p.roas, "roas_lower": p.roas_lower, "roas_upper": p.roas_upper,
                             "pooled": p.pooled, "validation": p.validation})
            fits.append({"scope": "campaign", "entity_id": campaign_id, "metric": "conversions",
                         "model": prediction.model | {"seed": SEED},
                         "inputs": {"history_weeks": len(history), "plan_weeks": PLAN_WEEKS,
                                    "planned": [vars(p) for p in planned], "total": prediction.total}})
        replace_night(conn, tenant_id, "campaign_predictions", as_of, rows, fits, run_id)
    summary.outputs = len(rows)
    summary.seconds = time.perf_counter() - started
    return summary


def recent_anomalies(conn: psycopg.Connection, tenant_id: str, as_of: date) -> list[dict]:
    since = as_of - timedelta(days=ACTIONABLE_DAYS - 1)
    rows = _dicts(conn.execute(_q("anomalies_recent"), {"tenant_id": tenant_id, "as_of": as_of,
                                                        "since": since}))
    for row in rows:
        row["date"] = row.pop("day")
    return rows


def recommend(tenant_id: str, as_of: date, *, run_id: str | None = None) -> NightSummary:
    """Budget shifts, ad-read fixes and anomaly actions, numbered in that order for the night."""
    started = time.perf_counter()
    summary = NightSummary("recommendations", tenant_id, as_of)
    with db.connect("transformer") as conn, db.tenant_transaction(conn, tenant_id):
        model = tenant_settings(conn, tenant_id)["reporting_model"]
        history = placement_history(conn, tenant_id, as_of)
        reads = [r for r in _dicts(conn.execute(_q("ad_read_outcomes"), {"tenant_id": tenant_id,
                                                                         "as_of": as_of}))
                 if r["outcome"] is not None]
        for read in reads:
            read["outcome"] = float(read["outcome"])
        found = []
        found += budget_shifts(history, attribution_model=model, seed=SEED) if history else []
        found += ad_read_fixes(reads, attribution_model=model, seed=SEED) if reads else []
        found += anomaly_actions(recent_anomalies(conn, tenant_id, as_of),
                                 active_placements(conn, tenant_id, as_of), attribution_model=model)
        rows = [{"seq": seq, "kind": r.kind, "target": r.target, "action": r.action, "effect": r.effect,
                 "effect_lower": r.effect_lower, "effect_upper": r.effect_upper, "effect_unit": r.effect_unit,
                 "evidence": r.evidence, "model": r.model} for seq, r in enumerate(found, start=1)]
        fits = [{"scope": "tenant", "entity_id": "", "metric": "", "model": {
                    "name": "earmark-recommendations", "attribution_model": model, "seed": SEED},
                 "inputs": {"placement_weeks": len(history), "ad_reads": len(reads)}}]
        replace_night(conn, tenant_id, "recommendations", as_of, rows, fits, run_id)
    summary.series = 1
    summary.modelled = 1
    summary.outputs = len(rows)
    summary.seconds = time.perf_counter() - started
    return summary
