"""Client-centric companies are 60% more profitable than those not focused on clients.

Read as a dose–response: the firm moves a share of its advertising money into service (a higher
service level at the same money, ``service.cost_per_client × level²`` a client-month, measured on
the baseline's clients), and each share moved is a reading. A cross-section of firms that chose
their focus would confound focus with whatever made them choose it; the paired arms do not.
"""

from __future__ import annotations

import numpy as np

from experiments.running.arms import arms, npv, profit_change
from experiments.running.study import Baseline
from experiments.verdicts.framework import Claim, Reading

__all__ = ["CLAIM", "DOSES", "measure"]

#: Shares of the advertising money moved into service, one reading each.
DOSES = {"moved_25": 0.25, "moved_50": 0.5, "moved_100": 1.0}

_QUOTE = (
    "“client-centric companies were 60% more profitable compared to companies that were not "
    "focused on the customer”"
)

CLAIM = Claim(
    name="client_centric",
    # (every arm moves a share of the world's own ad money into its own service level: a firm's
    # levers are where it moves from, not values the arms replace)
    relative_keys=(
        "levers.ad_budget",
        "levers.service_level",
    ),
    title="Client-centric companies are 60% more profitable than those not focused on clients",
    readings=tuple(
        Reading(
            name,
            f"The firm's NPV with {share:.0%} of its advertising money moved into service, over "
            "its NPV as declared",
            _QUOTE + f" — read as the gain from moving {share:.0%} of the money toward clients",
            "attributed to Deloitte (likely Deloitte Research 1999, 'Making customer loyalty "
            "real'), repeated by Forbes; the figure compares firms, not a change inside one; "
            "band: 60 ±20, assumption",
            "% gain",
            (40.0, 80.0),
            assumed_margin="difference",
        )
        for name, share in DOSES.items()
    ),
    design="Four arms per world on the same seed: the baseline and 25%, 50%, 100% of the "
    "advertising money moved into the service level (the level raised so that its cost would "
    "equal the money moved at the baseline's mean number of active clients under the flat cost "
    "form, cost × level²; the level capped at 1). The money is aimed equal, not held equal: the "
    "service cost follows the clients served, which the move itself changes, and the cost form "
    "drawn; how equal it came out is measured in each world as money_ratio, service money "
    "bought per unit of ad money moved (below, *Measured beside the readings*): well under 1 "
    "where the move loses clients, whose service is then not bought, so a verdict here is about "
    "the move as a firm would make it — fewer ads and a higher service level — not about an "
    "equal-money trade. "
    "Band: 60% ± 20 points. Undefined where the baseline's NPV is ≤ 0 (no profit to be 60% "
    "more of).",
    beside=tuple(
        (
            f"money_ratio_{name}",
            "service money per unit of ad money",
            f"extra service spend over the ad money cut, {share:.0%} moved (1: all of it spent "
            "on service)",
        )
        for name, share in DOSES.items()
    )
    + tuple(
        (f"level_{name}", "service level", f"the service level bought, {share:.0%} moved")
        for name, share in DOSES.items()
    ),
    scope="a move inside one firm, its advertising money into service; the source's 60% compares "
    "client-centric firms with others, which no change inside one firm tests, so a verdict here "
    "is about the move, not about the firms the source compared",
)


def _level(base: Baseline, share: float) -> float:
    s = base.run.scenario
    moved = share * s.levers.ad_budget * s.market.clients / 1000.0  # currency / month
    active = max(float(base.run.timeseries["active"].mean()), 1.0)
    c = s.service.cost_per_client
    if c <= 0:
        return 1.0
    return float(min(np.sqrt(s.levers.service_level**2 + moved / (active * c)), 1.0))


def measure(base: Baseline, seed: int) -> dict[str, float]:
    """Every dose's NPV gain, % (and the service level each bought)."""
    s = base.run.scenario
    changes = {
        name: {
            "levers.ad_budget": s.levers.ad_budget * (1 - share),
            "levers.service_level": _level(base, share),
        }
        for name, share in DOSES.items()
    }
    runs = arms(base.run, changes)
    out = {name: profit_change(npv(runs[name]), npv(base.run)) for name in DOSES}
    ads = float(base.run.timeseries["marketing"].sum())
    for name in DOSES:  # service money bought per unit of ad money moved (1 = equal money)
        moved = ads - float(runs[name].timeseries["marketing"].sum())
        extra = float(runs[name].timeseries["service"].sum() - base.run.timeseries["service"].sum())
        out[f"money_ratio_{name}"] = extra / moved if moved > 0 else float("nan")
    out.update({f"level_{name}": changes[name]["levers.service_level"] for name in DOSES})
    return out
