"""Scores predicted ad segments against the labelled evaluation set (tests/ai/eval/), in pure Python.

A row (predicted or labelled) is a dict with `source_file` (or, when absent, `episode_id`), `start_s`,
`end_s`, `kind`, `brand`, `promo_codes`, `vanity_urls` and `position`; a hard negative needs only the file
key and its span. Both sides must name files the same way (`load_labels` gives every row both keys, and
`source_file` is the one used when a row has it).

Matching: a predicted segment and a labelled one are a candidate pair when they are in the same file and
overlap by at least half of the shorter of the two spans. Pairs are one-to-one: an optimal assignment
(scipy's linear_sum_assignment) takes the largest number of pairs, and among assignments of that size the
one with the most overlap (by intersection over union). A prediction left without a pair is a false
positive, a label left without one a false negative: two predictions over one ad are one TP and one FP.

Metrics:
- segment precision, recall and F1 from those counts;
- on matched pairs: brand accuracy (compared case-insensitively, ignoring everything but letters and
  digits), kind accuracy and position accuracy;
- promo codes and vanity URLs: micro precision, recall and F1 over the sets per segment; a matched pair's
  true positives are the intersection of its two sets, an unmatched prediction's codes are all false
  positives, an unmatched label's all false negatives. Codes and URLs are normalised first as the catalog
  normalises them (codes: letters and digits, upper-case; URLs: lower-case, no scheme, no "www.", no query
  or trailing slash);
- `false_on_negatives`: predicted segments that overlap a hard negative (same half-of-the-shorter-span
  rule) and are matched to no labelled ad; `per_ten_negatives` = 10 x that / the number of negatives.

A ratio whose denominator is zero is 0.0, except that precision, recall and F1 are all 1.0 when there was
nothing to find and nothing was predicted (tp = fp = fn = 0). Ratios are floats rounded to 4 places.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

EPSILON = 1e-9  # times are floats: a span at exactly half of the shorter one still counts
KEYWORDS = ("sponsor", "brought to you", "promo code", "use code", ".com/")

_CODE_NOISE = re.compile(r"[^0-9A-Za-z]")
_URL_SPACE = re.compile(r"\s")
_URL_HEAD = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.)+")
_URL_TAIL = re.compile(r"/*(?:[?#].*)?$", re.DOTALL)


# --- normalisation -----------------------------------------------------------------------------------

def file_key(row: Mapping[str, Any]) -> str:
    """The file a row belongs to: its `source_file` (without folders) when it has one, else `episode_id`."""
    source = row.get("source_file")
    if source:
        return Path(str(source)).name
    return str(row.get("episode_id") or "")


def normalise_brand(brand: str | None) -> str:
    return "".join(ch for ch in (brand or "").casefold() if ch.isalnum())


def normalise_code(code: str) -> str:
    return _CODE_NOISE.sub("", code).upper()


def normalise_url(url: str) -> str:
    bare = _URL_HEAD.sub("", _URL_SPACE.sub("", url).lower())
    return _URL_TAIL.sub("", bare)


def _codes(row: Mapping[str, Any]) -> set[str]:
    return {c for c in (normalise_code(str(v)) for v in row.get("promo_codes") or ()) if c}


def _urls(row: Mapping[str, Any]) -> set[str]:
    return {u for u in (normalise_url(str(v)) for v in row.get("vanity_urls") or ()) if u}


def _label(value: Any) -> str:
    return str(value or "").strip().lower()


def position_of(start_s: float, duration_s: float) -> str:
    """`pre` before 10 % of the episode, `post` at or after 90 %, `mid` between."""
    if start_s < 0.1 * duration_s:
        return "pre"
    if start_s >= 0.9 * duration_s:
        return "post"
    return "mid"


# --- matching ----------------------------------------------------------------------------------------

def _span(row: Mapping[str, Any]) -> tuple[float, float]:
    return float(row["start_s"]), float(row["end_s"])


def overlap_s(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    (a0, a1), (b0, b1) = _span(a), _span(b)
    return max(0.0, min(a1, b1) - max(a0, b0))


def overlaps_enough(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Same file, and the overlap is at least half of the shorter span (and more than nothing)."""
    if file_key(a) != file_key(b):
        return False
    shared = overlap_s(a, b)
    shorter = min(_span(a)[1] - _span(a)[0], _span(b)[1] - _span(b)[0])
    return shared > 0 and shared + EPSILON >= 0.5 * shorter


def _iou(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    shared = overlap_s(a, b)
    union = max(_span(a)[1], _span(b)[1]) - min(_span(a)[0], _span(b)[0])
    return shared / union if union > 0 else 0.0


def match(predicted: list[Mapping[str, Any]], labelled: list[Mapping[str, Any]]) -> list[tuple[int, int]]:
    """One-to-one (predicted index, labelled index) pairs, file by file: the most pairs, then the most
    overlap. Each pair's weight is 1 + IoU / (k + 1), k the most pairs a file could have, so that no
    amount of overlap outweighs one more pair."""
    by_file: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for i, row in enumerate(predicted):
        by_file[file_key(row)][0].append(i)
    for j, row in enumerate(labelled):
        by_file[file_key(row)][1].append(j)
    pairs: list[tuple[int, int]] = []
    for pred_ix, label_ix in by_file.values():
        if not pred_ix or not label_ix:
            continue
        scale = 1.0 / (min(len(pred_ix), len(label_ix)) + 1)
        weight = np.zeros((len(pred_ix), len(label_ix)))
        for r, i in enumerate(pred_ix):
            for c, j in enumerate(label_ix):
                if overlaps_enough(predicted[i], labelled[j]):
                    weight[r, c] = 1.0 + scale * _iou(predicted[i], labelled[j])
        rows, cols = linear_sum_assignment(weight, maximize=True)
        pairs += [(pred_ix[r], label_ix[c]) for r, c in zip(rows, cols, strict=True) if weight[r, c] > 0]
    return sorted(pairs)


# --- metrics -----------------------------------------------------------------------------------------

def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    if tp == fp == fn == 0:
        return 1.0, 1.0, 1.0
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    return precision, recall, _ratio(2 * precision * recall, precision + recall)


def _set_counts(predicted, labelled, pairs, values) -> tuple[int, int, int]:
    tp = fp = fn = 0
    matched_pred = {i for i, _ in pairs}
    matched_label = {j for _, j in pairs}
    for i, j in pairs:
        p, g = values(predicted[i]), values(labelled[j])
        tp, fp, fn = tp + len(p & g), fp + len(p - g), fn + len(g - p)
    fp += sum(len(values(row)) for i, row in enumerate(predicted) if i not in matched_pred)
    fn += sum(len(values(row)) for j, row in enumerate(labelled) if j not in matched_label)
    return tp, fp, fn


def score(predicted: list[dict], labelled: list[dict], negatives: list[dict] | None = None) -> dict:
    """The metrics of one analyzer over a set of files (see the module's docstring)."""
    negatives = negatives or []
    pairs = match(predicted, labelled)
    tp = len(pairs)
    fp, fn = len(predicted) - tp, len(labelled) - tp
    precision, recall, f1 = _prf(tp, fp, fn)

    def agreement(same) -> float:
        return _ratio(sum(1 for i, j in pairs if same(predicted[i], labelled[j])), tp)

    result: dict[str, Any] = {
        "segment_precision": precision, "segment_recall": recall, "segment_f1": f1,
        "brand_accuracy": agreement(lambda p, g: normalise_brand(p.get("brand")) == normalise_brand(
            g.get("brand"))),
        "kind_accuracy": agreement(lambda p, g: _label(p.get("kind")) == _label(g.get("kind"))),
        "position_accuracy": agreement(lambda p, g: _label(p.get("position")) == _label(g.get("position"))),
    }
    for name, values in (("code", _codes), ("url", _urls)):
        c_tp, c_fp, c_fn = _set_counts(predicted, labelled, pairs, values)
        c_p, c_r, c_f = _prf(c_tp, c_fp, c_fn)
        result |= {f"{name}_precision": c_p, f"{name}_recall": c_r, f"{name}_f1": c_f,
                   f"{name}_tp": c_tp, f"{name}_fp": c_fp, f"{name}_fn": c_fn}

    matched_pred = {i for i, _ in pairs}
    false_on_negatives = sum(
        1 for i, row in enumerate(predicted)
        if i not in matched_pred and any(overlaps_enough(row, neg) for neg in negatives))
    result |= {"false_on_negatives": false_on_negatives,
               "per_ten_negatives": _ratio(10 * false_on_negatives, len(negatives)),
               "negatives": len(negatives), "tp": tp, "fp": fp, "fn": fn}
    return {k: round(float(v), 4) if isinstance(v, float) else v for k, v in result.items()}


COLUMNS = (
    ("segment P", "segment_precision"), ("segment R", "segment_recall"), ("segment F1", "segment_f1"),
    ("brand acc", "brand_accuracy"), ("kind acc", "kind_accuracy"), ("position acc", "position_accuracy"),
    ("code F1", "code_f1"), ("URL F1", "url_f1"), ("false/10 negatives", "per_ten_negatives"),
)


def format_table(rows: dict[str, dict]) -> str:
    """A markdown table, one row per analyzer (its name, then the metrics of `score`), 3 decimals."""
    lines = ["| analyzer | " + " | ".join(title for title, _ in COLUMNS) + " |",
             "|---|" + "---:|" * len(COLUMNS)]
    for analyzer, metrics in rows.items():
        cells = [f"{float(metrics[key]):.3f}" for _, key in COLUMNS]
        lines.append(f"| {analyzer} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# --- the labelled set and the baseline ---------------------------------------------------------------

def load_labels(labels: str | Path | Mapping[str, Any]) -> tuple[list[dict], list[dict]]:
    """A labels.json (path or parsed) as flat (ads, hard negatives) rows, each with the transcript's
    `source_file` and `episode_id`."""
    data = json.loads(Path(labels).read_text()) if isinstance(labels, str | Path) else labels
    ads: list[dict] = []
    negatives: list[dict] = []
    for transcript in data["transcripts"]:
        keys = {"source_file": transcript["file"], "episode_id": transcript["episode_id"]}
        ads += [{**ad, **keys} for ad in transcript.get("ads", ())]
        negatives += [{**neg, **keys} for neg in transcript.get("hard_negatives", ())]
    return ads, negatives


def _cue_value(cue: Any, name: str) -> Any:
    return cue[name] if isinstance(cue, Mapping) else getattr(cue, name)


def keyword_baseline(cues: Iterable[Any], source_file: str) -> list[dict]:
    """The issue's baseline: a cue whose text holds one of KEYWORDS (case-insensitive) is an ad, runs of
    adjacent flagged cues are one segment; kind host_read, no brand, codes or URLs, position by the
    10 %/90 % rule over the end of the last cue. Cues are objects (or dicts) with start_s, end_s, text."""
    ordered = sorted(cues, key=lambda c: (float(_cue_value(c, "start_s")), float(_cue_value(c, "end_s"))))
    duration = max((float(_cue_value(c, "end_s")) for c in ordered), default=0.0)
    runs: list[list[float]] = []
    previous_flagged = False
    for cue in ordered:
        text = str(_cue_value(cue, "text")).lower()
        flagged = any(word in text for word in KEYWORDS)
        if flagged:
            start, end = float(_cue_value(cue, "start_s")), float(_cue_value(cue, "end_s"))
            if previous_flagged:
                runs[-1][1] = max(runs[-1][1], end)
            else:
                runs.append([start, end])
        previous_flagged = flagged
    return [{"source_file": source_file, "start_s": start, "end_s": end, "kind": "host_read", "brand": "",
             "promo_codes": [], "vanity_urls": [], "position": position_of(start, duration)}
            for start, end in runs]
