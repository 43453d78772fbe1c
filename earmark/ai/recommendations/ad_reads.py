"""Ad-read fixes from the transcript analysis, with the measured difference each fix made.

For each property of a good read (the promo code said, the vanity URL said more than once, a call to
action, not placed post-roll) the reads that had it and those that did not are compared on their outcome
(conversions per 1,000 impressions in the week after the episode's release, under the tenant's model): the
difference of the means, with an 80 % interval from a seeded bootstrap. Reads lacking a property whose
interval lies above zero, with at least MIN_READS on each side, get a fix; otherwise nothing is claimed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from earmark.ai.recommendations.types import Recommendation

VERSION = "earmark-ad-read-fixes-1.0"
MIN_READS = 3
BOOTSTRAP = 1000

# property -> (whether a read has it, or None where it does not apply; the fix in one sentence)
PROPERTIES: dict[str, tuple[Callable[[dict], bool | None], str]] = {
    "code_said": (lambda r: r.get("code_said"), "have the host say the promo code"),
    "url_repeated": (lambda r: None if r.get("url_said") is None else (r.get("url_repeats") or 0) >= 2,
                     "have the host say the vanity URL at least twice"),
    "call_to_action": (lambda r: r.get("cta"), "end the read with a call to action"),
    "not_post_roll": (lambda r: r.get("position") != "post", "move the read out of the post-roll"),
}


def ad_read_fixes(reads: list[dict], *, attribution_model: str, seed: int = 0) -> list[Recommendation]:
    rng = np.random.default_rng(seed)
    reads = sorted(reads, key=lambda r: (r["episode_id"], r["seq"]))
    found = []
    for name, (has, fix) in PROPERTIES.items():
        with_it = np.array([r["outcome"] for r in reads if has(r) is True])
        without = np.array([r["outcome"] for r in reads if has(r) is False])
        if with_it.size < MIN_READS or without.size < MIN_READS:
            continue
        diffs = np.array([rng.choice(with_it, with_it.size).mean() - rng.choice(without, without.size).mean()
                          for _ in range(BOOTSTRAP)])
        point = float(with_it.mean() - without.mean())
        lo, hi = (float(v) for v in np.quantile(diffs, [0.1, 0.9]))
        if lo <= 0:
            continue
        evidence = {"property": name, "reads_with": int(with_it.size), "reads_without": int(without.size),
                    "mean_with": round(float(with_it.mean()), 4),
                    "mean_without": round(float(without.mean()), 4)}
        for read in reads:
            if has(read) is False:
                found.append(Recommendation(
                    kind="ad_read_fix", target=f"episode {read['episode_id']} read {read['seq']}",
                    action=f"In {read['campaign_id']}'s read on {read['show_id']}, {fix}: reads that did "
                           f"earned {point:+.2f} conversions per 1,000 impressions.",
                    effect=round(point, 4), effect_lower=round(lo, 4), effect_upper=round(hi, 4),
                    effect_unit="conversions per 1,000 impressions", evidence=evidence,
                    model={"name": "earmark-ad-read-fixes", "version": VERSION,
                           "attribution_model": attribution_model, "outcome_window_days": 7, "seed": seed}))
    return found
