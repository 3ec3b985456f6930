"""Empowered staff pay off: spend up to $2,000 to fix a guest's problem without approval.

The baseline gives staff the declared empowerment budget and the $2,000 cap; the control switches
empowerment off (every incident escalated to a manager). The return is the firm's NPV gain per unit
of money the empowered staff spent on the spot (both discounted).
"""

from __future__ import annotations

from experiments.arms import annual_retention, arms, npv, present_value
from experiments.framework import Claim, Reading
from experiments.study import Baseline

__all__ = ["CLAIM", "measure"]

_QUOTE = (
    "“every employee may spend up to $2,000 to resolve a guest's problem without asking a "
    "manager” — the money comes back as guests kept (Ritz-Carlton's empowerment policy; Michelli 2008)"
)

CLAIM = Claim(
    name="empowered_staff",
    title=(
        "Empowered staff pay off: let employees spend up to $2,000 to fix a guest's problem "
        "without approval (Ritz-Carlton, Zappos, Nordstrom taking back tyres it never sold)"
    ),
    readings=(
        Reading(
            "roi",
            "(NPV with empowerment − NPV with every incident escalated) / present value of the "
            "money spent on the spot",
            _QUOTE + " — read as: the money spent on the spot returns more than it costs",
            "Michelli 2008 (The New Gold Standard); Hart, Heskett & Sasser 1990, HBR 68(4)",
            "NPV per unit spent",
            (0.0, float("inf")),
        ),
        Reading(
            "retention_gain",
            "Annual retention with empowerment minus without (points)",
            _QUOTE + " — read as: guests whose problem is fixed on the spot stay",
            "Hart, Heskett & Sasser 1990, HBR 68(4) (the profitable art of service recovery); "
            "threshold of half a point: assumption",
            "points",
            (0.5, float("inf")),
        ),
    ),
    design="Two arms per world on the same seed: the baseline (empowerment as declared, cap "
    "$2,000) and empowerment off.",
)


def measure(base: Baseline, seed: int) -> dict[str, float]:
    """Both readings in one world (ROI NaN when nothing was spent on the spot)."""
    off = arms(base.run, {"off": {"levers.empowerment_budget": 0.0}})["off"]
    rate = base.run.scenario.economics.discount_rate
    spent = present_value(base.run.timeseries, "empowerment", rate)
    return {
        "roi": (npv(base.run) - npv(off)) / spent if spent > 0 else float("nan"),
        "retention_gain": 100.0 * (annual_retention(base.run) - annual_retention(off)),
        "spent_pv": spent,
    }
