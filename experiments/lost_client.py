"""Losing one client costs its whole future: 10 + 12 + 14 + 16 + 18 = 70 thousand of revenue.

The practitioner article's arithmetic (docs/ODD.md §1.2) assumes the client would have stayed five years with spend rising
by a fifth of the first year's each year: 70 / 10 = 7 times the first year's revenue, and 14 of
profit (1.4 times the first year's revenue) at a 20% margin. Each is read against the world's
baseline, over the horizon (five years at the default size), from the clients active at the start.
"""

from __future__ import annotations

from experiments.framework import Claim, Reading
from experiments.study import Baseline

__all__ = ["CLAIM", "measure"]

_ARITH = "“10 + 12 + 14 + 16 + 18 = 70 thousand of revenue, 14 thousand of profit at a 20% margin”"

CLAIM = Claim(
    name="lost_client",
    title=(
        "Losing one client costs its whole future: 10 + 12 + 14 + 16 + 18 = 70 thousand of "
        "revenue, 14 thousand of profit at a 20% margin"
    ),
    readings=(
        Reading(
            "no_churn",
            "Revenue over the horizon of the clients who stayed every month, over their "
            "first-year revenue (x)",
            _ARITH + " — read as the article's no-churn arithmetic: 70/10 = 7 times",
            "the practitioner article (docs/ODD.md §1.2)",
            "x first year",
            (5.6, 8.75),
        ),
        Reading(
            "expected",
            "Revenue over the horizon of every client active at the start, churn and win-back "
            "included, over their first-year revenue (x)",
            _ARITH + " — read as the expected value of what is lost: the client might have "
            "left anyway",
            "the practitioner article (docs/ODD.md §1.2); Gupta, Lehmann & Stuart 2004, J. Marketing Research 41(1)",
            "x first year",
            (5.6, 8.75),
        ),
        Reading(
            "expected_profit",
            "Attributed profit over the horizon of every client active at the start, over their "
            "first-year revenue (x)",
            _ARITH + " — the profit: 14/10 = 1.4 times the first year's revenue",
            "the practitioner article (docs/ODD.md §1.2); Gupta, Lehmann & Stuart 2004",
            "x first year",
            (1.12, 1.75),
        ),
    ),
    design="No extra arm: the world's baseline, per client (band: the article's figure divided "
    "or multiplied by 1.25, an assumption: 5.6-8.75 and 1.12-1.75).",
)


def measure(base: Baseline, seed: int) -> dict[str, float]:
    """All three readings in one world."""
    return {
        "no_churn": float(base.extras["stayer_ratio"]),
        "expected": float(base.extras["cohort_ratio"]),
        "expected_profit": float(base.extras["cohort_profit_ratio"]),
    }
