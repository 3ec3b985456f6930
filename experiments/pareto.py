"""80% of profit comes from 20% of clients (read over a short and a long window, and before the
shared costs, as three rows).

The readings come from the world's baseline alone: each client's attributed profit (revenue minus
the costs that client caused, its acquisition included, and its share of the firm's costs,
``clients.value``) over the window, among the clients served in it. The *revenue* share of the
top fifth is a plausibility fact (Kim, Singh & Winer 2017), not this claim's estimand: profit
concentrates further when some clients cost more than they bring. A third reading takes the
firm's shared costs out: activity-based customer profitability traces to a client only the costs
its own activities drive, so the same top-fifth share is read over each client's contribution too
(the two bracket how the shared costs are spread).
"""

from __future__ import annotations

from experiments.framework import Claim, Reading
from experiments.study import Baseline

__all__ = ["CLAIM", "measure"]

_QUOTE = (
    "“80% of profit comes from 20% of clients” — the Pareto rule applied to customers; the "
    "transaction literature measures it over one year and over the customer's history"
)

CLAIM = Claim(
    name="pareto",
    title="80% of profit comes from 20% of clients — concentrate on them",
    readings=(
        Reading(
            "profit_1y",
            "Share of the last year's attributed profit earned by the top fifth of the clients "
            "served that year",
            _QUOTE + " (one year)",
            "the practitioner articles ('according to Gartner's statistics', unchecked); the "
            "principle: Koch 1998 (The 80/20 Principle); band: 80 ±10, assumption",
            "% of profit",
            (70.0, 90.0),
        ),
        Reading(
            "profit_all",
            "Share of the whole horizon's attributed profit earned by the top fifth of the clients "
            "served in it",
            _QUOTE + " (the whole horizon)",
            "the practitioner articles (Gartner, unchecked); Koch 1998; band: 80 ±10, assumption",
            "% of profit",
            (70.0, 90.0),
        ),
        Reading(
            "contribution_1y",
            "Share of the last year's customer contribution — revenue less the costs each client "
            "causes (cost to serve, incidents, discount, its acquisition, referral credits), the "
            "firm's shared costs spread over no one — earned by the top fifth of the clients "
            "served that year",
            _QUOTE + " (one year), with profit as customer profitability analysis measures it: "
            "revenue less the cost of the activities each customer uses; such studies find the "
            "top fifth earning up to 225% of the profit (a whale curve)",
            "customer profitability by activity-based cost to serve: Cooper & Kaplan 1991 (HBR "
            "69(3)), Kaplan & Narayanan 2001 (J. Cost Management 15(5)); band: 80 ±10, assumption",
            "% of contribution",
            (70.0, 90.0),
        ),
    ),
    design="No extra arm: the top-fifth profit shares of the world's baseline over its last 12 "
    "months and its whole horizon (per-client attributed profit, docs/ODD.md §7.5), and over its "
    "last 12 months with the shared costs (staff, training, hiring, overhead, R&D) charged to no "
    "client: each client's contribution, the costs it causes only (§7.9). A share above "
    "100% means the other four fifths lose money together: stronger than claimed. Where the "
    "served clients' total profit is zero or negative the share is undefined: there is no "
    "profit to share (a percentage of profit needs a profit, as in every reading here whose band "
    "is the size of a percentage of profit), even where "
    "the top fifth's own is positive.",
    notes=(
        "'Concentrate on them' is a decision, not a share; it is not judged here.",
        "Transaction data measure sales, not profit: the top fifth of buyers hold 67% of sales "
        "on average over 339 firms (McCarthy & Winer 2019, Marketing Letters 30(2)) and 73% for "
        "packaged-goods brands (Kim, Singh & Winer 2017, Marketing Letters 28(4)); profit is more "
        "concentrated than sales, and in cost-to-serve studies the top fifth earns more than all "
        "the profit (the 'whale curve', Kaplan & Narayanan 2001, J. Cost Management 15(5)).",
    ),
)


def measure(base: Baseline, seed: int) -> dict[str, float]:
    """The three shares, % (NaN where the total profit or contribution is ≤ 0: nothing to share)."""
    return {
        "profit_1y": float(base.extras["top20_profit_1y"]),
        "profit_all": float(base.extras["top20_profit_all"]),
        "contribution_1y": float(base.extras["top20_contribution_1y"]),
    }
